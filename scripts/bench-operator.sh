#!/usr/bin/env bash
# Scale benchmark of the operator: N WasmBindings (default 1000) over M distinct modules (default
# 100) against fabric8's mock API server, modules served over HTTP on 127.0.0.1, the operator jar
# in its own JVM. Prints time until all are Ready and the operator's RSS and heap.
# Usage: scripts/bench-operator.sh [bindings] [modules] [operator JVM options...]
#   e.g. scripts/bench-operator.sh 1000 100 -Xmx128m -XX:+UseSerialGC
# JAVA=/path/to/bin/java runs the harness and the operator on that JVM (default: java).
set -euo pipefail
cd "$(dirname "$0")/.."
bindings="${1:-1000}"; modules="${2:-100}"; shift $(( $# > 2 ? 2 : $# ))
mvn -B -q -pl operator -am verify -DskipTests \
    dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
cp="operator/target/test-classes:operator/target/classes:$(cat operator/target/bench.classpath)"
"${JAVA:-java}" -cp "$cp" dev.wasmbind.operator.bench.OperatorScaleBench \
    operator/target/wasmbind-operator.jar "$bindings" "$modules" "$@"
