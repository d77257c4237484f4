#!/usr/bin/env bash
# Benchmarks the sidecar on this machine and prints the figures for docs/bench/sidecar.md:
#   1. per-call latency in process: a tiny module and SHA-256 of 1 MiB (compiled wasm), next to
#      the same modules run per call by Node.js's built-in WASI (scripts/bench-node-wasi.mjs) and
#      the same C program built natively and spawned per call -> docs/bench/percall.csv;
#   2. over HTTP on loopback with wrk, a sweep over connections (CONNECTIONS, default
#      1 2 4 8 16 32): execute on a tiny module and GET /v1.0/healthz alternately, with req/s,
#      latency percentiles, the sidecar's CPU per request and young collections per 1,000
#      requests -> docs/bench/http-sweep.csv;
#   3. time from process start to ready (healthz 204) and idle RSS with three bindings loaded.
# The sidecar runs the documented way (scripts/sidecar-jvm.sh: the JDK run-standalone.sh picks,
# its flags and start-up archive); JAVA_FLAGS and WASMBIND_JAVA override, BENCH_LABEL names the
# run in the CSVs. docs/bench/plot.sh draws the CSVs. Every figure carries the load average.
# Needs wrk and clang (scripts/setup.sh --bench) and Node.js 18+ (node:wasi).
# Usage: scripts/bench-sidecar.sh [seconds per wrk run, default 10]
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/sidecar-jvm.sh
. scripts/sidecar-jvm.sh
# shellcheck source=scripts/bench-bindings.sh
. scripts/bench-bindings.sh

DURATION="${1:-10}"
PORT="${BENCH_PORT:-3599}"
CONNECTIONS="${CONNECTIONS:-1 2 4 8 16 32}"
sidecar_java
JAVA="$REPLY"
JAVA_FLAGS="${JAVA_FLAGS:-$SIDECAR_JAVA_FLAGS_DEFAULT}"
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}" # as scripts/run-standalone.sh
java_feature "$JAVA"
LABEL="${BENCH_LABEL:-jdk$REPLY-documented}"
OUT=sidecar/target/bench
JAR=sidecar/target/wasmbind-sidecar.jar
SWEEP=docs/bench/http-sweep.csv
PERCALL=docs/bench/percall.csv

for tool in wrk clang curl node; do
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
echo "- java: $("$JAVA" -version 2>&1 | head -1) ($JAVA)"
echo "- node: $(node --version)"
echo "- load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "- JVM flags: $JAVA_FLAGS (MALLOC_ARENA_MAX=$MALLOC_ARENA_MAX), label $LABEL"
echo

echo "## In process, per call (the sidecar's runner: a reset instance when the module allows it, see docs/sidecar.md), node:wasi, native"
[ -f "$PERCALL" ] || echo "date,load1,label,case,runtime,p50_us,p99_us,mean_us,cpu_us" > "$PERCALL"
percall() { # RUNTIME-LABEL: InProcessBench / bench-node-wasi lines on stdin -> CSV rows
  local load; load=$(cut -d' ' -f1 /proc/loadavg)
  while IFS= read -r line; do
    echo "$line"
    [[ "$line" == *" calls="* ]] || continue # only result lines become rows
    awk -v d="$(date -u +%Y-%m-%dT%H:%MZ)" -v l="$load" -v lb="$LABEL" '{
        split($0, a, " calls="); name = a[1]; sub(/ +$/, "", name)
        c = (name ~ /^tiny/) ? "tiny" : "sha256"
        r = name; sub(/^[^,]*, */, "", r); if (r !~ /^(native|node)/) r = "wasmbind (Chicory) " r
        p50 = p99 = mean = cpu = ""
        for (i = 1; i <= NF; i++) { split($i, kv, "="); v = kv[2]; sub(/us$/, "", v)
          if (kv[1] == "p50") p50 = v; else if (kv[1] == "p99") p99 = v; else if (kv[1] == "mean") mean = v; else if (kv[1] == "cpu") cpu = v }
        printf "%s,%s,%s,%s,%s,%s,%s,%s,%s\n", d, l, lb, c, r, p50, p99, mean, cpu }' <<<"$line" >> "$PERCALL"
  done
}
# shellcheck disable=SC2086
"$JAVA" $JAVA_FLAGS -cp "sidecar/target/test-classes:sidecar/target/classes:$(cat "$OUT/test.cp")" \
  dev.wasmbind.sidecar.bench.InProcessBench "$TINY" "$SHA" "$OUT/sha256-native" 2>/dev/null | percall
node --expose-gc --no-warnings scripts/bench-node-wasi.mjs "$TINY" "$SHA" | percall
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
  local start="$EPOCHREALTIME"
  # shellcheck disable=SC2086
  "$JAVA" $JAVA_FLAGS $1 -jar "$JAR" --resources "$RES" --http-port "$PORT" --grpc-port 0 --log-level info >"$OUT/sidecar.log" 2>&1 &
  pid=$!
  # bash's /dev/tcp, no process per try: a curl loop took one of the two cores from the start
  # (docs/benchmarks.md, round 7)
  await_healthz "$PORT" "$pid" || { echo "the sidecar exited:" >&2; tail -5 "$OUT/sidecar.log" >&2; exit 1; }
  ready=$(( (${EPOCHREALTIME/./} - ${start/./}) / 1000 ))
}
wait_compiled() { # until the three bindings run compiled (the sidecar compiles in the background)
  until [ "$(grep -c 'now runs compiled' "$OUT/sidecar.log")" -ge 3 ]; do
    kill -0 "$pid" 2>/dev/null || { tail -5 "$OUT/sidecar.log" >&2; exit 1; }
    sleep 0.2
  done
}
rss() { awk '/VmRSS/{print int($2/1024)}' "/proc/$pid/status"; }

echo "## Start-up and memory (3 bindings; scripts/bench-startup.sh compares runtimes and flags)"
# A training run makes the start-up archive (as scripts/run-standalone.sh does).
rm -f "$OUT/sidecar.jsa" "$OUT/sidecar.aot"
# shellcheck disable=SC2086
sidecar_archive_flags "$JAVA" "$JAR" "$OUT/sidecar" $JAVA_FLAGS
ARCHIVE_FLAGS="$REPLY"
for _ in 1 2 3; do
  start_sidecar "$ARCHIVE_FLAGS"
  rss_ready=$(rss)
  sleep 5 # the background compiler finishes
  echo "- with the archive: ready ${ready} ms after process start; RSS ${rss_ready} MiB at ready, $(rss) MiB idle 5 s later (load $(cut -d' ' -f1 /proc/loadavg))"
  kill "$pid"; wait "$pid" 2>/dev/null || true
done
start_sidecar "$ARCHIVE_FLAGS"
wait_compiled
echo

cat > "$OUT/execute.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"operation":"execute","data":"hello"}'
wrk.headers["Content-Type"] = "application/json"
LUA
echo "## HTTP on loopback (wrk -t1, ${DURATION}s per run, after a warm-up; execute and healthz alternate)"
wrk -t1 -c8 -d"$DURATION"s -s "$OUT/execute.lua" "http://127.0.0.1:$PORT/v1.0/bindings/tiny" >/dev/null
wrk -t1 -c8 -d5s "http://127.0.0.1:$PORT/v1.0/healthz" >/dev/null
[ -f "$SWEEP" ] || echo "date,load1,label,target,connections,req_s,p50_us,p90_us,p99_us,cpu_us_per_req,young_gcs_per_1k,errors" > "$SWEEP"
cpu_ms() { awk '{print ($14 + $15) * 1000 / '"$(getconf CLK_TCK)"'}' "/proc/$pid/stat"; }
jdk_tool() { local d; d="$(dirname "$(readlink -f "$(command -v "$JAVA")")")"; if [ -x "$d/$1" ]; then echo "$d/$1"; else echo "$1"; fi; }
young_gcs() { "$(jdk_tool jstat)" -gc "$pid" 2>/dev/null | awk 'NR == 1 { for (i = 1; i <= NF; i++) h[i] = $i } NR == 2 { for (i = 1; i <= NF; i++) if (h[i] == "YGC") print $i }'; }
us() { awk '{ v = $1; if (v ~ /us$/) { sub(/us$/, "", v); print v } else if (v ~ /ms$/) { sub(/ms$/, "", v); print v * 1000 } else { sub(/s$/, "", v); print v * 1000000 } }' <<<"$1"; }
measure() { # connections target
  local result load cpu0 cpu1 gc0 gc1 n errors
  load=$(cut -d' ' -f1 /proc/loadavg)
  cpu0=$(cpu_ms); gc0=$(young_gcs)
  if [ "$2" = healthz ]; then
    result=$(wrk -t1 -c"$1" -d"$DURATION"s --latency "http://127.0.0.1:$PORT/v1.0/healthz")
  else
    result=$(wrk -t1 -c"$1" -d"$DURATION"s --latency -s "$OUT/execute.lua" "http://127.0.0.1:$PORT/v1.0/bindings/tiny")
  fi
  cpu1=$(cpu_ms); gc1=$(young_gcs)
  n=$(awk '/requests in/{print $1}' <<<"$result")
  errors=$(grep -E "Non-2xx|Socket errors" <<<"$result" | tr '\n' ' ' | tr ',' ';' || true)
  local rps p50 p90 p99
  rps=$(awk '/Requests\/sec/{print $2}' <<<"$result")
  p50=$(us "$(awk '$1=="50%"{print $2}' <<<"$result")")
  p90=$(us "$(awk '$1=="90%"{print $2}' <<<"$result")")
  p99=$(us "$(awk '$1=="99%"{print $2}' <<<"$result")")
  local cpu_req gcs
  cpu_req=$(awk -v a="$cpu0" -v b="$cpu1" -v n="$n" 'BEGIN { printf "%.1f", (b - a) * 1000 / n }')
  gcs=$(awk -v a="${gc0:-0}" -v b="${gc1:-0}" -v n="$n" 'BEGIN { printf "%.1f", (b - a) * 1000 / n }')
  echo "- $2, $1 connection(s): $rps req/s, p50 ${p50} us, p90 ${p90} us, p99 ${p99} us, CPU ${cpu_req} us/request, ${gcs} young GCs per 1k (load $load) $errors"
  echo "$(date -u +%Y-%m-%dT%H:%MZ),$load,$LABEL,$2,$1,$rps,$p50,$p90,$p99,$cpu_req,$gcs,$errors" >> "$SWEEP"
}
for c in $CONNECTIONS; do
  measure "$c" healthz
  measure "$c" execute
done
echo "- RSS after the HTTP runs: $(rss) MiB"
echo "- load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
kill "$pid"; wait "$pid" 2>/dev/null || true
