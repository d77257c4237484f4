#!/usr/bin/env bash
# gRPC InvokeBinding next to HTTP execute of the same tiny module, in the same run, on loopback:
# req/s, p50, p99 from a Java load client (grpc-java async stub over HTTP/2; Vert.x HTTP/1.1
# keep-alive pool), the same number of outstanding calls for both. No gRPC load generator is
# packaged for Debian here. Usage: scripts/bench-grpc.sh [seconds] [concurrency]
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER_RUN="${1:-15}"
CONCURRENCY="${2:-16}"
OUT=sidecar/target/bench
mkdir -p "$OUT"
mvn -B -q -pl sidecar -am test-compile dependency:build-classpath \
  -Dmdep.outputFile="$(pwd)/$OUT/test.cp" -Dmdep.includeScope=test
echo "- date: $(date -u +%Y-%m-%dT%H:%MZ); cpu: $(nproc); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "- module: examples/bindings/modules/uppercase.wasm; ${SECONDS_PER_RUN}s per protocol after 5s warm-up each; ${CONCURRENCY} outstanding calls"
java -XX:+UseSerialGC -Xmx256m \
  -cp "sidecar/target/test-classes:sidecar/target/classes:$(cat "$OUT/test.cp")" \
  dev.wasmbind.sidecar.grpc.GrpcHttpLoadBench \
  "$(pwd)/examples/bindings/modules/uppercase.wasm" "$SECONDS_PER_RUN" "$CONCURRENCY" 2>/dev/null
