#!/usr/bin/env bash
# Where one tiny `execute` over HTTP spends the sidecar's CPU (docs/bench/percall.md): a sidecar
# jar with one binding (examples' uppercase.wasm), warmed up, then
#   1. after a warm-up (WARMUP seconds of execute, default 15), a wrk run (8 connections unless CONNECTIONS is set) with the CPU time of every thread read
#      from /proc/<pid>/task/*/stat before and after, summed per group (event loops, wasm workers,
#      GC, JIT compilers, the rest; user and system time apart), plus context switches, all per
#      request; the same for GET /v1.0/healthz as the yardstick;
#   2. a second wrk run under JDK Flight Recorder with jdk.ExecutionSample every 1 ms, summarised
#      per thread group and by the frames named in profile-summary.py.
# Several jars (A/B) are run in turn, each in its own JVM, in the order given, ROUNDS times
# alternating the order. Prints markdown tables; recordings stay in benchmarks/target/profile/.
# A JAR argument may carry extra JVM flags after a '#' (JAR#-Dx=y), and a label before a '='
# (label=JAR): the same jar can run twice with different flags.
# Usage: benchmarks/profile-execute.sh [seconds per run, default 8] [LABEL=]JAR[#FLAGS]...
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION="${1:-8}"
shift
JARS=("$@")
PORT="${BENCH_PORT:-3631}"
CONNECTIONS="${CONNECTIONS:-8}"
ROUNDS="${ROUNDS:-1}"
JFR="${JFR:-1}"
# shellcheck source=scripts/sidecar-jvm.sh
. scripts/sidecar-jvm.sh
JAVA_FLAGS="${JAVA_FLAGS:-$SIDECAR_JAVA_FLAGS_DEFAULT}"
JAVA="${WASMBIND_JAVA:-java}"
export MALLOC_ARENA_MAX=2
OUT=benchmarks/target/profile
mkdir -p "$OUT/resources"
HZ=$(getconf CLK_TCK)

cat > "$OUT/resources/tiny.yaml" <<YAML
apiVersion: wasmbind.dev/v1alpha1
kind: WasmBinding
metadata: {name: tiny}
spec:
  url: "file://$(pwd)/examples/bindings/modules/uppercase.wasm"
  limits: {maxConcurrency: 64}
YAML
cat > "$OUT/execute.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"operation":"execute","data":"hi"}'
wrk.headers["Content-Type"] = "application/json"
LUA
# JFR's profile settings with execution samples every millisecond.
JDK_HOME="$(dirname "$(dirname "$(readlink -f "$(command -v "$JAVA")")")")"
sed '/<event name="jdk.ExecutionSample">/,/<\/event>/ s|<setting name="period"[^>]*>[^<]*</setting>|<setting name="period">1 ms</setting>|' \
  "$JDK_HOME/lib/jfr/profile.jfc" > "$OUT/samples-1ms.jfc"

# thread_cpu PID -> lines "group user_ticks system_ticks voluntary involuntary" per thread
thread_cpu() {
  local task comm stat
  for task in /proc/"$1"/task/*; do
    stat=$(cat "$task/stat" 2>/dev/null) || continue
    comm=${stat#*(}; comm=${comm%)*}
    local rest=${stat##*) }
    # shellcheck disable=SC2086
    set -- $rest
    local utime=${12} stime=${13}
    local vol inv
    vol=$(awk '/^voluntary_ctxt_switches/{print $2}' "$task/status" 2>/dev/null || echo 0)
    inv=$(awk '/^nonvoluntary_ctxt_switches/{print $2}' "$task/status" 2>/dev/null || echo 0)
    local group=other
    case "$comm" in
      vert.x-eventloo*) group=event-loop ;;
      wasm-worker*) group=worker ;;
      "VM Thread" | GC* | "Serial"*) group=gc ;;
      C1\ Compiler* | C2\ Compiler*) group=jit ;;
    esac
    echo "${task##*/} $group $utime $stime ${vol:-0} ${inv:-0}"
  done
}

# per_request BEFORE AFTER REQUESTS -> markdown cells per group: user+sys µs, switches
per_request() {
  awk -v hz="$HZ" -v n="$3" '
    FNR == NR { u[$1] = $3; s[$1] = $4; v[$1] = $5; i[$1] = $6; next }
    { g = $2; du[g] += $3 - u[$1]; ds[g] += $4 - s[$1]; dv[g] += $5 - v[$1]; di[g] += $6 - i[$1] }
    END {
      split("event-loop worker gc jit other", order, " ")
      for (k = 1; k <= 5; k++) { g = order[k]; tu += du[g]; ts += ds[g]; tv += dv[g]; ti += di[g]
        printf "| %.1f (%.1f sys) ", (du[g] + ds[g]) / hz * 1e6 / n, ds[g] / hz * 1e6 / n }
      printf "| %.1f (%.1f sys) | %.1f | %.2f | %.2f |", (tu + ts) / hz * 1e6 / n, ts / hz * 1e6 / n,
        (tu + ts - du["jit"] - ds["jit"]) / hz * 1e6 / n, tv / n, ti / n
      printf " %.2f / %.2f |", dv["event-loop"] / n, dv["worker"] / n
    }' "$1" "$2"
}

wrk_run() { # connections url [script] -> "req/s p50 requests"
  local result
  if [ -n "${3:-}" ]; then
    result=$(wrk -t1 -c"$1" -d"$DURATION"s --latency -s "$3" "$2")
  else
    result=$(wrk -t1 -c"$1" -d"$DURATION"s --latency "$2")
  fi
  echo "$(awk '/Requests\/sec/{print $2}' <<<"$result") $(awk '$1=="50%"{print $2}' <<<"$result") $(awk '/requests in/{print $1}' <<<"$result")"
}

measure() { # label pid url [script]
  local before="$OUT/before" after="$OUT/after" r
  thread_cpu "$2" > "$before"
  r=$(wrk_run "$CONNECTIONS" "$3" "${4:-}")
  thread_cpu "$2" > "$after"
  read -r rps p50 n <<<"$r"
  echo "| $1 | $(cut -d' ' -f1 /proc/loadavg) | $rps | $p50 $(per_request "$before" "$after" "$n")"
}

label_of() { # [label=]jar[#flags] -> label
  local spec="${1%%#*}"
  if [[ "$spec" == *=* ]]; then echo "${spec%%=*}"; else basename "$spec" .jar; fi
}

profile_jar() { # [label=]jar[#flags]
  local spec="$1" extra="" jar label
  [[ "$spec" == *#* ]] && extra="${spec#*#}"
  jar="${spec%%#*}"; jar="${jar#*=}"
  label="$(label_of "$1")"
  set -- "$label" "$jar"
  # shellcheck disable=SC2086
  "$JAVA" $JAVA_FLAGS $extra -XX:+UnlockDiagnosticVMOptions -XX:+DebugNonSafepoints -jar "$2" \
    --resources "$OUT/resources" --http-port "$PORT" --grpc-port 0 --log-level warn \
    >"$OUT/sidecar-$1.log" 2>&1 &
  local pid=$!
  until curl -sf -o /dev/null "http://127.0.0.1:$PORT/v1.0/healthz"; do
    kill -0 "$pid" 2>/dev/null || { cat "$OUT/sidecar-$1.log" >&2; exit 1; }
    sleep 0.05
  done
  local base="http://127.0.0.1:$PORT"
  wrk -t1 -c8 -d"${WARMUP:-15}"s -s "$OUT/execute.lua" "$base/v1.0/bindings/tiny" >/dev/null
  wrk -t1 -c8 -d3s "$base/v1.0/healthz" >/dev/null
  measure "$1 execute" "$pid" "$base/v1.0/bindings/tiny" "$OUT/execute.lua"
  measure "$1 healthz" "$pid" "$base/v1.0/healthz"
  if [ "$JFR" = 1 ]; then
    jcmd "$pid" JFR.start name=exec settings="$(pwd)/$OUT/samples-1ms.jfc" >/dev/null
    wrk -t1 -c"$CONNECTIONS" -d"$DURATION"s -s "$OUT/execute.lua" "$base/v1.0/bindings/tiny" >/dev/null
    jcmd "$pid" JFR.stop name=exec filename="$(pwd)/$OUT/execute-$1.jfr" >/dev/null
  fi
  kill "$pid"; wait "$pid" 2>/dev/null || true
}

echo "- date: $(date -u +%Y-%m-%dT%H:%MZ); $(nproc) cores; wrk -t1 -c$CONNECTIONS, ${DURATION}s; java: $("$JAVA" -version 2>&1 | head -1)"
echo "- flags: $JAVA_FLAGS"
echo
echo "| run | load | req/s | p50 | event loops µs/req (sys) | workers | GC | JIT | other | total | total without JIT | voluntary switches/req | involuntary/req | voluntary of event loops / workers |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
for round in $(seq "$ROUNDS"); do
  order=("${JARS[@]}")
  if [ $((round % 2)) -eq 0 ]; then
    order=(); for ((k = ${#JARS[@]} - 1; k >= 0; k--)); do order+=("${JARS[k]}"); done
  fi
  for jar in "${order[@]}"; do
    profile_jar "$jar"
  done
done
if [ "$JFR" = 1 ]; then
  for jar in "${JARS[@]}"; do
    label="$(label_of "$jar")"
    echo
    echo "### JFR execution samples, $label"
    jfr print --json --stack-depth 64 --events jdk.ExecutionSample "$OUT/execute-$label.jfr" > "$OUT/execute-$label.json"
    python3 benchmarks/profile-summary.py "$OUT/execute-$label.json"
  done
fi
