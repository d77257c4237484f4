#!/usr/bin/env bash
# Builds the sidecar if its jar is missing or older than the sources, then runs it standalone on a
# folder of WasmBinding YAML files (default: examples/bindings) on http://127.0.0.1:3500.
# Usage: scripts/run-standalone.sh [DIR] [sidecar flags, e.g. --http-port 3501 --log-level debug]
set -euo pipefail
cd "$(dirname "$0")/.."

DIR="${1:-examples/bindings}"
[ $# -gt 0 ] && shift
JAR=sidecar/target/wasmbind-sidecar.jar
# Small heap, serial GC, small stacks: a sidecar's footprint (see docs/sidecar.md, "JVM flags").
JAVA_FLAGS="${JAVA_FLAGS:--XX:+UseSerialGC -Xmx64m -Xss512k -XX:ReservedCodeCacheSize=32m}"

if [ ! -f "$JAR" ] || [ -n "$(find sidecar/src/main crds/src/main sidecar/pom.xml -newer "$JAR" -print -quit)" ]; then
  mvn -B -q -pl sidecar -am package -DskipTests
fi
# shellcheck disable=SC2086
exec java $JAVA_FLAGS -jar "$JAR" --resources "$DIR" "$@"
