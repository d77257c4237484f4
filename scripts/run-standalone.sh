#!/usr/bin/env bash
# Builds the sidecar if its jar is missing or older than the sources, then runs it standalone on a
# folder of WasmBinding YAML files (default: examples/bindings) on http://127.0.0.1:3500.
# Usage: scripts/run-standalone.sh [DIR] [sidecar flags, e.g. --http-port 3501 --log-level debug]
# JVM: a JDK 25+ under /usr/lib/jvm when there is one (AOT cache), else `java` 17+ (AppCDS
# archive); WASMBIND_JAVA=/path/to/bin/java picks one. Flags: JAVA_FLAGS overrides them.
# See docs/sidecar.md, "JVM flags", and scripts/sidecar-jvm.sh.
set -euo pipefail
# (No $(dirname ...): each command substitution forks, scripts/sidecar-jvm.sh says why that matters.)
case "$0" in */*) cd "${0%/*}/.." ;; *) cd .. ;; esac
# shellcheck source=scripts/sidecar-jvm.sh
. scripts/sidecar-jvm.sh

DIR="${1:-examples/bindings}"
[ $# -gt 0 ] && shift
JAR=sidecar/target/wasmbind-sidecar.jar
sidecar_java
JAVA="$REPLY"
if [ -z "${JAVA_FLAGS:-}" ]; then
  # shellcheck disable=SC2086
  sidecar_flags_for "$JAVA" $SIDECAR_JAVA_FLAGS_DEFAULT
  JAVA_FLAGS="$REPLY"
fi
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"

if [ ! -f "$JAR" ] || [ -n "$(find sidecar/src/main crds/src/main command-support/src/main module-loader/src/main sidecar/pom.xml -newer "$JAR" -print -quit)" ]; then
  mvn -B -q -pl sidecar -am package -DskipTests
fi
# The start-up archive (AOT cache on JDK 25+, a static AppCDS archive before): made once, before
# the first start, by a training run on examples/bindings (~10-25 s), then mapped; one per JDK
# feature release and set of flags, since an archive serves only the JVM and flags that wrote it. A
# jar newer than the archive makes the next start train again.
read -r FLAGS_SUM _ < <(cksum <<<"$JAVA_FLAGS")
java_feature "$JAVA"
ARCHIVE="sidecar/target/wasmbind-sidecar-jdk$REPLY-$FLAGS_SUM"
# shellcheck disable=SC2086
sidecar_archive_flags "$JAVA" "$JAR" "$ARCHIVE" $JAVA_FLAGS
ARCHIVE_FLAGS="$REPLY"
# shellcheck disable=SC2086
exec "$JAVA" $JAVA_FLAGS $ARCHIVE_FLAGS -jar "$JAR" --resources "$DIR" "$@"
