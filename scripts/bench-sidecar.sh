#!/usr/bin/env bash
# Benchmarks the sidecar on this machine and prints the figures for docs/bench/sidecar.md:
#   1. per-call latency in process: a tiny module and SHA-256 of 1 MiB (compiled wasm) next to
#      the same C program built natively and spawned per call;
#   2. over HTTP on loopback with wrk: execute on a tiny module next to GET /v1.0/healthz;
#   3. time from process start to ready (healthz 204) and idle RSS with three bindings loaded.
# Needs wrk and clang (scripts/setup.sh --bench). Usage: scripts/bench-sidecar.sh [seconds per wrk run]
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION="${1:-15}"
PORT="${BENCH_PORT:-3599}"
# The flags of the README's run command (see docs/sidecar.md, "JVM flags").
JAVA_FLAGS="${JAVA_FLAGS:--XX:+UseSerialGC -Xms8m -Xmx256m -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=20 -Xss512k -XX:ReservedCodeCacheSize=32m -XX:CICompilerCount=2}"
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}" # as scripts/run-standalone.sh
OUT=sidecar/target/bench
JAR=sidecar/target/wasmbind-sidecar.jar

for tool in wrk clang curl; do
  command -v "$tool" >/dev/null || { echo "missing $tool: run scripts/setup.sh --bench" >&2; exit 1; }
done

mkdir -p "$OUT"
# Everything printed also goes to $OUT/results.md.
exec > >(tee "$OUT/results.md") 2>&1
mvn -B -q -pl sidecar -am package -DskipTests dependency:build-classpath \
  -Dmdep.outputFile="$(pwd)/$OUT/test.cp" -Dmdep.includeScope=test
clang -O2 -o "$OUT/sha256-native" sidecar/src/test/wasm/sha256.c

TINY="$(pwd)/examples/bindings/modules/uppercase.wasm"
SHA="$(pwd)/sidecar/src/test/resources/wasm/sha256.wasm"
HELLO="$(pwd)/examples/bindings/modules/hello.wasm"

echo "## Machine"
echo "- date: $(date -u +%Y-%m-%dT%H:%MZ)"
echo "- cpu: $(nproc) x $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "- memory: $(free -m | awk '/Mem:/{print $2}') MiB"
echo "- java: $(java -version 2>&1 | head -1)"
echo "- load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "- JVM flags: $JAVA_FLAGS (MALLOC_ARENA_MAX=$MALLOC_ARENA_MAX)"
echo

echo "## In process (fresh instance per call)"
# shellcheck disable=SC2086
java $JAVA_FLAGS -cp "sidecar/target/test-classes:sidecar/target/classes:$(cat "$OUT/test.cp")" \
  dev.wasmbind.sidecar.bench.InProcessBench "$TINY" "$SHA" "$OUT/sha256-native" 2>/dev/null
echo

RES="$OUT/resources"
rm -rf "$RES"; mkdir -p "$RES"
for pair in "tiny:$TINY" "sha256:$SHA" "hello:$HELLO"; do
  name="${pair%%:*}"; url="${pair#*:}"
  cat > "$RES/$name.yaml" <<YAML
apiVersion: wasmbind.dev/v1alpha1
kind: WasmBinding
metadata:
  name: $name
spec:
  url: "file://$url"
  limits:
    maxRequestBytes: 2Mi
    maxConcurrency: 64
YAML
done

start_sidecar() { # extra JVM flags; sets pid and ready (ms from process start to healthz 204)
  local start
  start=$(date +%s%N)
  # shellcheck disable=SC2086
  java $JAVA_FLAGS $1 -jar "$JAR" --resources "$RES" --http-port "$PORT" --grpc-port 0 --log-level warn >"$OUT/sidecar.log" 2>&1 &
  pid=$!
  until curl -sf -o /dev/null "http://127.0.0.1:$PORT/v1.0/healthz"; do sleep 0.01; done
  ready=$(( ($(date +%s%N) - start) / 1000000 ))
}
rss() { awk '/VmRSS/{print int($2/1024)}' "/proc/$pid/status"; }

echo "## Start-up and memory (3 bindings)"
# A training run writes the class data sharing archive (as scripts/run-standalone.sh does).
rm -f "$OUT/sidecar.jsa"
start_sidecar "-XX:ArchiveClassesAtExit=$OUT/sidecar.jsa -Xlog:cds=off -Xlog:cds+dynamic=off"
curl -s -X POST "http://127.0.0.1:$PORT/v1.0/bindings/tiny" -d '{"operation":"execute","data":"x"}' >/dev/null
sleep 3; kill "$pid"; wait "$pid" 2>/dev/null || true
for cds in without with without with without with; do
  if [ "$cds" = with ]; then start_sidecar "-XX:SharedArchiveFile=$OUT/sidecar.jsa"; else start_sidecar ""; fi
  rss_ready=$(rss)
  sleep 5 # the background compiler finishes
  echo "- $cds CDS archive: ready ${ready} ms after process start; RSS ${rss_ready} MiB at ready, $(rss) MiB idle 5 s later"
  kill "$pid"; wait "$pid" 2>/dev/null || true
done
start_sidecar "-XX:SharedArchiveFile=$OUT/sidecar.jsa"
echo

cat > "$OUT/execute.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"operation":"execute","data":"hello"}'
wrk.headers["Content-Type"] = "application/json"
LUA
echo "## HTTP on loopback (wrk -t1, ${DURATION}s per run, after a warm-up)"
wrk -t1 -c8 -d"$DURATION"s -s "$OUT/execute.lua" "http://127.0.0.1:$PORT/v1.0/bindings/tiny" >/dev/null
wrk -t1 -c8 -d5s "http://127.0.0.1:$PORT/v1.0/healthz" >/dev/null
measure() { # connections target
  local result
  if [ "$2" = healthz ]; then
    result=$(wrk -t1 -c"$1" -d"$DURATION"s --latency "http://127.0.0.1:$PORT/v1.0/healthz")
  else
    result=$(wrk -t1 -c"$1" -d"$DURATION"s --latency -s "$OUT/execute.lua" "http://127.0.0.1:$PORT/v1.0/bindings/tiny")
  fi
  echo "- $2, $1 connection(s): $(awk '/Requests\/sec/{print $2}' <<<"$result") req/s," \
    "p50 $(awk '$1=="50%"{print $2}' <<<"$result"), p99 $(awk '$1=="99%"{print $2}' <<<"$result")" \
    "$(grep -E "Non-2xx|Socket errors" <<<"$result" | tr '\n' ' ' || true)"
}
for round in 1 2; do
  measure 8 healthz
  measure 8 execute
done
measure 1 healthz
measure 1 execute
echo "- RSS after the HTTP runs: $(rss) MiB"
echo "- load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
kill "$pid"; wait "$pid" 2>/dev/null || true
