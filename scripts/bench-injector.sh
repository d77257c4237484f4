#!/usr/bin/env bash
# Admission latency and throughput of the injector over HTTPS on loopback, with wrk.
#
#   scripts/bench-injector.sh            # builds the jar if missing, prints the figures
#   DURATION=60s scripts/bench-injector.sh
#   NICE=-10 scripts/bench-injector.sh   # on a shared machine: give server and wrk priority
#   JAVA_OPTS="-XX:+UseSerialGC -Xmx256m" scripts/bench-injector.sh   # JVM flags for the server
#
# Three runs against the jar started as documented (file TLS, native sidecar mode), each
# POSTing the same full AdmissionReview (a Deployment's pod, annotated, so every request builds
# a patch): a warm-up, a ~200 reviews/s run (wrk has no rate control: 4 connections each
# waiting 20 ms between requests), and a saturation run; then one more review checks that the
# server still answers correctly after saturation.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
JAR="$ROOT/injector-webhook/target/wasmbind-injector.jar"
REVIEW="$ROOT/injector-webhook/src/test/resources/admission/pod-create-review.json"
PORT="${PORT:-18443}"
DURATION="${DURATION:-30s}"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }

if [[ ! -f "$JAR" ]]; then
  (cd "$ROOT" && mvn -B -q -pl injector-webhook -am package -DskipTests)
fi

WORK="$(mktemp -d)"
cleanup() {
  if [[ -n "${PID:-}" ]]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
  -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
  -keyout "$WORK/tls.key" -out "$WORK/tls.crt" 2>/dev/null

RUN=()
if [[ -n "${NICE:-}" ]]; then RUN=(nice -n "$NICE"); fi
# shellcheck disable=SC2086 # JAVA_OPTS holds several flags
"${RUN[@]}" java ${JAVA_OPTS:-} -jar "$JAR" --host 127.0.0.1 --port "$PORT" \
  --tls-cert "$WORK/tls.crt" --tls-key "$WORK/tls.key" \
  --sidecar-image example/wasmbind-sidecar:0.1.0 --native-sidecar >"$WORK/injector.log" 2>&1 &
PID=$!
for _ in $(seq 1 100); do
  curl -skf "https://127.0.0.1:$PORT/readyz" >/dev/null && break
  sleep 0.2
done
curl -skf "https://127.0.0.1:$PORT/readyz" >/dev/null || { cat "$WORK/injector.log"; exit 1; }

cat >"$WORK/review.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = assert(io.open("$REVIEW", "rb"))
wrk.body = f:read("*a")
f:close()
local pause = tonumber(os.getenv("PAUSE_MS") or "0")
function delay() return pause end
function done(summary, latency, requests)
  local secs = summary.duration / 1e6
  io.write(string.format(
    "RESULT requests=%d errors=%d non2xx=%d reviews_per_s=%.1f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f p999_ms=%.3f max_ms=%.3f\n",
    summary.requests, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status, summary.requests / secs,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency:percentile(99.9) / 1000, latency.max / 1000))
end
LUA

URL="https://127.0.0.1:$PORT/mutate"
load() { echo "   load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"; }
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(java -version 2>&1 | head -1), JAVA_OPTS='${JAVA_OPTS:-}'"
echo "== warm-up (20s, 2 threads, 8 connections; not reported)"
PAUSE_MS=0 "${RUN[@]}" wrk -t2 -c8 -d20s -s "$WORK/review.lua" "$URL" | grep RESULT
echo "== ~200 reviews/s ($DURATION, 1 thread, 4 connections, 20 ms pause per connection)"
load
PAUSE_MS=20 "${RUN[@]}" wrk -t1 -c4 -d"$DURATION" -s "$WORK/review.lua" "$URL" | grep RESULT
for c in 8 32 128; do
  echo "== saturation ($DURATION, 2 threads, $c connections, no pause)"
  load
  PAUSE_MS=0 "${RUN[@]}" wrk -t2 -c"$c" -d"$DURATION" -s "$WORK/review.lua" "$URL" | grep RESULT
done
echo "== still answering after saturation"
curl -sk -H 'Content-Type: application/json' --data-binary @"$REVIEW" "$URL" \
  | grep -q '"patchType":"JSONPatch"' && echo "yes: review answered with a JSON patch"
echo "== server-side time per review (parse, decide, patch, serialize; no TLS/HTTP), all runs"
curl -sk "https://127.0.0.1:$PORT/metrics" | awk '
  /^wasmbind_injector_review_duration_seconds_bucket/ {
    match($0, /le="[^"]+"/); le = substr($0, RSTART + 4, RLENGTH - 5); n++; les[n] = le; cum[n] = $2 }
  /^wasmbind_injector_review_duration_seconds_count/ { count = $2 }
  /^wasmbind_injector_review_duration_seconds_sum/ { sum = $2 }
  END {
    for (i = 1; i <= n; i++) { if (!p50 && cum[i] >= 0.5 * count) p50 = les[i]; if (!p99 && cum[i] >= 0.99 * count) p99 = les[i] }
    printf "reviews=%d mean_ms=%.3f p50_ms<=%.3f p99_ms<=%.3f (histogram bucket bounds)\n", count, 1000 * sum / count, 1000 * p50, 1000 * p99 }'
