#!/usr/bin/env bash
# Image sizes and the sidecar's start-to-ready time inside its image, with and without its
# AOT cache: builds the image tarballs on the Debian base (root; see docs/images.md) and
# writes docs/bench/images.md (its hand-written notes, from "## Reading these figures" on, are
# kept). Usage: RUNS=7 scripts/bench-images.sh
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/make-base-image.sh >/dev/null
mvn -B -q -pl images -am verify -P image-tarballs \
    -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
    -Dit.test=ImageStartupBenchIT -Dfailsafe.failIfNoSpecifiedTests=false \
    "-Dimages.bench.runs=${RUNS:-7}" "-Dimages.bench.output=$PWD/docs/bench/images.md"
cat docs/bench/images.md
