#!/usr/bin/env bash
# Builds the sidecar if its jar is missing or older than the sources, then runs it standalone on a
# folder of WasmBinding YAML files (default: examples/bindings) on http://127.0.0.1:3500.
# Usage: scripts/run-standalone.sh [DIR] [sidecar flags, e.g. --http-port 3501 --log-level debug]
set -euo pipefail
cd "$(dirname "$0")/.."

DIR="${1:-examples/bindings}"
[ $# -gt 0 ] && shift
JAR=sidecar/target/wasmbind-sidecar.jar
# Class data sharing archive of the sidecar's classes: written when the first run exits, used by
# the next runs (about half the start-up time). See docs/sidecar.md, "JVM flags".
CDS=sidecar/target/wasmbind-sidecar.jsa
# Small heap that shrinks back, serial GC, small stacks: a sidecar's footprint.
JAVA_FLAGS="${JAVA_FLAGS:--XX:+UseSerialGC -Xms8m -Xmx256m -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=20 -Xss512k -XX:ReservedCodeCacheSize=32m -XX:CICompilerCount=2}"
# Two malloc arenas instead of one per thread that ever allocated natively: a few MiB of RSS.
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"

if [ ! -f "$JAR" ] || [ -n "$(find sidecar/src/main crds/src/main command-support/src/main module-loader/src/main sidecar/pom.xml -newer "$JAR" -print -quit)" ]; then
  mvn -B -q -pl sidecar -am package -DskipTests
fi
if [ -f "$CDS" ] && [ "$CDS" -nt "$JAR" ]; then
  CDS_FLAG="-XX:SharedArchiveFile=$CDS"
else
  rm -f "$CDS"
  CDS_FLAG="-XX:ArchiveClassesAtExit=$CDS"
fi
# shellcheck disable=SC2086
exec java $JAVA_FLAGS "$CDS_FLAG" -Xlog:cds=off -Xlog:cds+dynamic=off -jar "$JAR" --resources "$DIR" "$@"
