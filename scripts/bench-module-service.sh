#!/usr/bin/env bash
# Benchmark of the operator's module service: N simulated sidecars (default 1000) long-polling
# across M namespaces (default 100) over HTTPS on 127.0.0.1; the service in its own JVM
# (-Xmx256m). Prints start-up time, idle CPU and RSS, TokenReviews (cache effect) and the time a
# change takes to reach every sidecar.
# Usage: scripts/bench-module-service.sh [sidecars] [namespaces] [idle seconds] [change rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -pl operator -am verify -DskipTests \
    dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
cp="operator/target/test-classes:operator/target/classes:$(cat operator/target/bench.classpath)"
java -cp "$cp" dev.wasmbind.operator.bench.ModuleServiceBench "${1:-1000}" "${2:-100}" "${3:-60}" "${4:-5}"
