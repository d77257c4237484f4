#!/usr/bin/env bash
# Where the time of a big request goes: SHA-256 of 1 MiB sent as a 2 MiB hex JSON string to a
# rawData binding over HTTP, profiled with JDK Flight Recorder (execution samples, 10 ms).
# Prints the samples' share per part of the path (by the top frame's class), the hottest methods
# and the collections during the measured calls; the recording stays in
# sidecar/target/bench-profile/http-sha256.jfr. Waits until the binding runs compiled (the sidecar
# compiles modules in the background after start: calls before run interpreted, ~100x slower).
# Usage: scripts/bench-profile.sh [requests, default 60]
set -euo pipefail
cd "$(dirname "$0")/.."

N="${1:-60}"
PORT="${BENCH_PORT:-3597}"
JAR="${JAR:-sidecar/target/wasmbind-sidecar.jar}"
OUT=sidecar/target/bench-profile
# shellcheck source=scripts/sidecar-jvm.sh
. scripts/sidecar-jvm.sh
FLAGS="${JAVA_FLAGS:-$SIDECAR_JAVA_FLAGS_DEFAULT}" # the documented flags; JFR runs on JDK 17's java
export MALLOC_ARENA_MAX=2
[ -f "$JAR" ] || mvn -B -q -pl sidecar -am package -DskipTests
mkdir -p "$OUT/resources"
cat > "$OUT/resources/sha256.yaml" <<YAML
apiVersion: wasmbind.dev/v1alpha1
kind: WasmBinding
metadata:
  name: sha256
spec:
  url: "file://$(pwd)/sidecar/src/test/resources/wasm/sha256.wasm"
  rawData: true
  limits:
    maxRequestBytes: 4Mi
YAML
# The sha256 test module hashes STDIN as it comes: here the 2 MiB of hex text.
head -c 1048576 /dev/urandom | od -An -v -tx1 | tr -d ' \n' | awk '{printf "{\"operation\":\"execute\",\"data\":\"%s\"}", $0}' > "$OUT/body.json"

# shellcheck disable=SC2086
java $FLAGS "-XX:StartFlightRecording=filename=$OUT/http-sha256.jfr,settings=profile" -Xlog:jfr=off \
  -jar "$JAR" --resources "$OUT/resources" --http-port "$PORT" --grpc-port 0 --log-level info >"$OUT/sidecar.log" 2>&1 &
pid=$!
until grep -q 'now runs compiled' "$OUT/sidecar.log"; do
  kill -0 "$pid" 2>/dev/null || { cat "$OUT/sidecar.log" >&2; exit 1; }
  sleep 0.1
done
post() { curl -sf -o /dev/null -w '%{time_total}\n' -H 'Content-Type: application/json' --data-binary @"$OUT/body.json" "http://127.0.0.1:$PORT/v1.0/bindings/sha256"; }
for _ in $(seq 20); do post >/dev/null; done # warm-up: the JIT
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
measured_from=$(date -u +%s)
for _ in $(seq "$N"); do post; done | sort -n | awk '{t[NR]=$1} END {printf "HTTP sha256 (2 MiB hex body), %d calls: p50 %.1f ms\n", NR, t[int(NR/2)+1]*1000}'
kill "$pid"; wait "$pid" 2>/dev/null || true

# Top frame of each execution sample -> a part of the path.
jfr print --events jdk.ExecutionSample "$OUT/http-sha256.jfr" |
  awk '/stackTrace = \[/ { getline; sub(/^ +/, ""); sub(/\(.*/, ""); print }' > "$OUT/top-frames.txt"
echo "samples: $(wc -l < "$OUT/top-frames.txt")"
awk '{
  part = "other"
  if ($0 ~ /GoJsonTranscoder|BindingRequest|RawBindingRequest/) part = "JSON decode (request)"
  else if ($0 ~ /GoJsonEncoder/) part = "JSON encode"
  else if ($0 ~ /StdinReader|BoundedOutputStream|wasi\./) part = "WASI: STDIN/STDOUT copies"
  else if ($0 ~ /chicory\.runtime\.(ByteArrayMemory|Memory)|BudgetedMemory/) part = "guest memory access"
  else if ($0 ~ /chicory|^com\.dylibso|CompiledMachine|FuncGroup|Shaded/) part = "guest code (compiled wasm)"
  else if ($0 ~ /netty|vertx/) part = "HTTP (Netty/Vert.x)"
  else if ($0 ~ /^java\.|^jdk\.|^sun\./) part = "JDK (copies, strings, hashing)"
  n[part]++; total++ }
  END { for (p in n) printf "%5.1f%%  %s\n", 100 * n[p] / total, p }' "$OUT/top-frames.txt" | sort -rn
# Collections while the measured calls ran (the warm-up's are left out by their start time).
jfr print --events jdk.GarbageCollection "$OUT/http-sha256.jfr" |
  awk -v from="$measured_from" -v n="$N" '
    /name = / { name = $3 } /startTime = / { t = $3 }
    /sumOfPauses = / { v = $3; u = $4; ms = (u ~ /^s/) ? v * 1000 : (u ~ /^us/) ? v / 1000 : v
      cmd = "date -u -d " t " +%s"; cmd | getline s; close(cmd)
      if (s >= from) { c[name]++; p[name] += ms } }
    END { for (k in c) printf "GC %s: %.2f per call, %.2f ms of pauses per call\n", k, c[k] / n, p[k] / n }'
echo "hottest methods:"
sort "$OUT/top-frames.txt" | uniq -c | sort -rn | head -15
