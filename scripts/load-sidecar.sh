#!/usr/bin/env bash
# Loads the standalone sidecar at twice its saturation with a mix of requests and checks that it
# stays up: no OutOfMemoryError, /v1.0/healthz answers within 100 ms throughout, every request is
# answered (no wrk socket errors or timeouts), RSS stays bounded. Prints the figures for
# docs/benchmarks.md ("Under overload").
#   1. saturation: wrk on a tiny module with growing connection counts; the saturating count is
#      the smallest that reaches 90% of the best throughput;
#   2. overload: wrk with twice that many connections (wrk is closed-loop: twice the concurrency
#      that saturates) for DURATION seconds, each connection cycling through 70% tiny calls, 10%
#      slow calls (a guest sleeping 200 ms, maxConcurrency 4: many get 429), 10% 1 MiB bodies,
#      10% malformed JSON; meanwhile healthz is probed every 100 ms with curl and RSS sampled.
# Needs wrk and curl. Usage: scripts/load-sidecar.sh [seconds of overload, default 30]
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION="${1:-30}"
# A free port unless LOAD_PORT is set (other benchmarks may hold the usual ones).
PORT="${LOAD_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}"
# The documented JVM and flags (scripts/sidecar-jvm.sh); JAVA_FLAGS and WASMBIND_JAVA override.
# shellcheck source=scripts/sidecar-jvm.sh
. scripts/sidecar-jvm.sh
sidecar_java
JAVA="$REPLY"
JAVA_FLAGS="${JAVA_FLAGS:-$SIDECAR_JAVA_FLAGS_DEFAULT}"
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
OUT=sidecar/target/load
JAR=sidecar/target/wasmbind-sidecar.jar

for tool in wrk curl; do
  command -v "$tool" >/dev/null || { echo "missing $tool: run scripts/setup.sh --bench" >&2; exit 1; }
done
mkdir -p "$OUT"
exec > >(tee "$OUT/results.md") 2>&1
[ -f "$JAR" ] || mvn -B -q -pl sidecar -am package -DskipTests

RES="$OUT/resources"
rm -rf "$RES"; mkdir -p "$RES"
binding() { # name module limits
  printf 'apiVersion: wasmbind.dev/v1alpha1\nkind: WasmBinding\nmetadata: {name: %s}\nspec:\n  url: "file://%s"\n  limits: %s\n' \
    "$1" "$(pwd)/$2" "$3" > "$RES/$1.yaml"
}
# Small maxMemory: the guest-memory budget (a share of -Xmx) admits a call by its maxMemory.
binding tiny examples/bindings/modules/uppercase.wasm "{maxConcurrency: 64, maxMemory: 2Mi}"
binding slow sidecar/src/test/resources/wasm/sleep.wasm "{maxConcurrency: 4, maxMemory: 2Mi, timeout: 5s}"
binding cat sidecar/src/test/resources/wasm/cat.wasm "{maxConcurrency: 8, maxMemory: 8Mi, maxRequestBytes: 2Mi}"

# shellcheck disable=SC2086
"$JAVA" $JAVA_FLAGS -jar "$JAR" --resources "$RES" --http-port "$PORT" --log-level warn >"$OUT/sidecar.log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true' EXIT
until curl -sf -o /dev/null "http://127.0.0.1:$PORT/v1.0/healthz"; do
  kill -0 "$pid" 2>/dev/null || { cat "$OUT/sidecar.log" >&2; exit 1; }
  sleep 0.05
done

echo "## Machine"
echo "- date: $(date -u +%Y-%m-%dT%H:%MZ); cpu: $(nproc) x $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "- load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "- java: $("$JAVA" -version 2>&1 | head -1); JVM flags: $JAVA_FLAGS"
echo

cat > "$OUT/tiny.lua" <<'LUA'
wrk.method = "POST"
wrk.path = "/v1.0/bindings/tiny"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"operation":"execute","data":"hello"}'
LUA
echo "## Saturation (tiny module, 10 s per step)"
best=0; declare -A rate
for c in 2 4 8 16 32; do
  r=$(wrk -t2 -c"$c" -d10s -s "$OUT/tiny.lua" "http://127.0.0.1:$PORT" | awk '/Requests\/sec/{print int($2)}')
  rate[$c]=$r; echo "- $c connections: $r req/s"
  [ "$r" -gt "$best" ] && best=$r
done
sat=32
for c in 32 16 8 4 2; do [ $(( ${rate[$c]} * 10 )) -ge $(( best * 9 )) ] && sat=$c; done
conns=$(( 2 * sat ))
echo "- saturating at $sat connections ($best req/s best); overload runs $conns connections"
echo

cat > "$OUT/mix.lua" <<'LUA'
local huge = '{"operation":"execute","data":"' .. string.rep("x", 1024 * 1024) .. '"}'
local kinds = {
  {"/v1.0/bindings/tiny", '{"operation":"execute","data":"hello"}'},
  {"/v1.0/bindings/slow", '{"operation":"execute","metadata":{"args":"200"}}'},
  {"/v1.0/bindings/cat", huge},
  {"/v1.0/bindings/tiny", '{"operation":"execute","data":[1,2'},
}
-- 7 tiny, 1 slow, 1 huge, 1 malformed in every 10 requests
local order = {1, 1, 2, 1, 1, 3, 1, 1, 4, 1}
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) n = 0; statuses = {} end
function request()
  n = n + 1
  local k = kinds[order[(n % #order) + 1]]
  return wrk.format("POST", k[1], {["Content-Type"] = "application/json"}, k[2])
end
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    for s, c in pairs(t:get("statuses")) do total[s] = (total[s] or 0) + c end
  end
  local line = "- statuses:"
  for s, c in pairs(total) do line = line .. " " .. s .. "=" .. c end
  print(line)
  local e = summary.errors
  print(string.format("- socket errors: connect %d, read %d, write %d, status>399 %d, timeout %d",
    e.connect, e.read, e.write, e.status, e.timeout))
  print(string.format("- latency p50 %.1f ms, p99 %.1f ms, max %.1f ms",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
LUA

echo "## Overload: $conns connections for ${DURATION}s (70% tiny, 10% slow, 10% 1 MiB, 10% malformed)"
(
  end=$(( $(date +%s) + DURATION ))
  while [ "$(date +%s)" -lt "$end" ]; do
    curl -s -o /dev/null -m 5 -w '%{http_code} %{time_total}\n' "http://127.0.0.1:$PORT/v1.0/healthz" || true
    sleep 0.1
  done
) > "$OUT/healthz.txt" &
probe=$!
(
  while kill -0 "$pid" 2>/dev/null; do awk '/VmRSS/{print int($2/1024)}' "/proc/$pid/status"; sleep 0.5; done
) > "$OUT/rss.txt" &
sampler=$!
wrk -t2 -c"$conns" -d"${DURATION}s" --timeout 10s -s "$OUT/mix.lua" "http://127.0.0.1:$PORT" | grep -E 'Requests/sec|^- '
wait "$probe"
kill "$sampler" 2>/dev/null || true
echo "- healthz probes: $(wc -l < "$OUT/healthz.txt"), not 204: $(awk '$1!=204' "$OUT/healthz.txt" | wc -l), over 100 ms: $(awk '$2>0.1' "$OUT/healthz.txt" | wc -l), max $(sort -k2 -g "$OUT/healthz.txt" | tail -1 | awk '{printf "%.1f ms", $2*1000}')"
echo "- RSS: max $(sort -n "$OUT/rss.txt" | tail -1) MiB, after $(awk '/VmRSS/{print int($2/1024)}' "/proc/$pid/status") MiB"
echo "- OutOfMemoryError in the log: $(grep -c OutOfMemoryError "$OUT/sidecar.log" || true); sidecar alive: $(kill -0 "$pid" 2>/dev/null && echo yes || echo no)"
echo "- load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
