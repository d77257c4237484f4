#!/usr/bin/env bash
# Regenerates the committed CRD copies (crds/wasmbind.dev_wasmbindings.yaml and
# helm/wasmbind/crds/wasmbind.dev_wasmbindings.yaml) from the Java types in crds/.
# CrdDriftTest fails the build when they are stale.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -pl crds -am verify -Dtest=CrdDriftTest -Dsurefire.failIfNoSpecifiedTests=false \
    -Dcrds.update=true
echo "updated crds/wasmbind.dev_wasmbindings.yaml and helm/wasmbind/crds/wasmbind.dev_wasmbindings.yaml"
