#!/usr/bin/env bash
# A/B of the sidecar's HTTP request path: two sidecar jars (say main's and a branch's) started in
# turn with the same JVM flags, alternating old/new and new/old each round, so that both see the
# same load on a shared machine. Per jar and round: wrk on POST /v1.0/bindings/tiny (execute on
# examples' uppercase.wasm) and GET /v1.0/healthz with 1 and 8 connections, the sidecar's CPU time
# per execute request (from /proc, robust to other load), and the median of SHA-256 of 1 MiB sent
# as a 2 MiB hex JSON string to a rawData binding. Prints markdown rows and the load average.
# With INTERLEAVED=1 both jars run at once on two ports (warmed up together) and every wrk run
# alternates between them, which follows a changing machine load more closely; the medians per
# jar come last. There each round also times the SHA-256 request ($SHA_CALLS curl calls, p50)
# against the native build of the same C program spawned per call on the same STDIN (the 2 MiB
# of hex the guest hashes with rawData), and counts the sidecar's CPU time and young/full
# collections per SHA-256 call (-Xlog:gc), figures that move less with the load than wall time.
# Also the guest workers' sleeps per execute at 8 connections (voluntary context switches of the
# wasm-worker threads: each is a sleep and a wake-up in the hand-off from the event loop).
# SHA_ONLY=1 (with INTERLEAVED=1) skips the wrk runs. NEW_JAVA_FLAGS (default: JAVA_FLAGS) runs the
# new jar with other flags: give the same jar twice to compare two sets of JVM flags. Interleaved
# runs end with each sidecar's resident memory after 20 s idle. Both modes wait until the bindings run
# compiled (the sidecar compiles modules in the background after start).
#
# The two ratios of issue 12, measured so that runs of the same jar agree (docs/bench/http-path.md,
# "Round 6: measuring the ratios"), in interleaved mode:
# - execute/healthz at 8 connections comes from PAIRS (default 1) pairs per round and jar: a healthz
#   run and an execute run back to back (order alternating), each its own ratio; the row gives the
#   pairs' median and range, the summary the median, quartiles and range over all pairs. Besides the
#   req/s ratio, the CPU ratio: CPU per healthz over CPU per execute, each the sidecar's CPU plus
#   wrk's (the client's work is part of what a request costs on a shared machine), which moves far
#   less than req/s. "foreign CPU" is what other processes (builds, the other sidecar) used during
#   a pair's busier run, in % of one core, from /proc/stat; the summary also gives the median of
#   the pairs with less than QUIET_FOREIGN % (default 25): the quiet-machine figure.
# - SHA-256 over HTTP against native: each of the $SHA_CALLS calls is one HTTP call and one native
#   spawn back to back (order alternating, both after warm-up), its own ratio; the row gives both
#   p50s and the median ratio with its quartiles. curl sends the body without
#   `Expect: 100-continue` (as Go's and Java's HTTP clients do; curl alone adds that round trip to
#   bodies over 1 MiB).
# PIN=client runs every client (wrk, curl, the native build) on the last CPU (taskset), the sidecars
# free; PIN=split also keeps the sidecars off that CPU (a client core and a server core on a 2-core
# machine). Default PIN=none: all processes float, as in earlier rounds.
# Needs wrk and clang or cc (scripts/setup.sh --bench).
# Usage: [INTERLEAVED=1] [SHA_ONLY=1] [SHA_CALLS=N] [PAIRS=N] [PIN=none|client|split] [QUIET_FOREIGN=%]
#        scripts/bench-http-path.sh OLD.jar NEW.jar [seconds per wrk run, default 8] [rounds, default 3]
set -euo pipefail
cd "$(dirname "$0")/.."

OLD="$1"
NEW="$2"
DURATION="${3:-8}"
ROUNDS="${4:-3}"
PORT="${BENCH_PORT:-3613}"
PAIRS="${PAIRS:-1}"
PIN="${PIN:-none}"
QUIET_FOREIGN="${QUIET_FOREIGN:-25}"
# The documented flags (scripts/sidecar-jvm.sh) unless JAVA_FLAGS is set; the java on the PATH
# (WASMBIND_JAVA overrides), without start-up archives: both jars run alike.
# shellcheck source=scripts/sidecar-jvm.sh
. scripts/sidecar-jvm.sh
JAVA_FLAGS="${JAVA_FLAGS:-$SIDECAR_JAVA_FLAGS_DEFAULT}"
NEW_JAVA_FLAGS="${NEW_JAVA_FLAGS:-$JAVA_FLAGS}"
JAVA="${WASMBIND_JAVA:-java}"
export MALLOC_ARENA_MAX=2
OUT=sidecar/target/bench-http-path
mkdir -p "$OUT/resources"
HZ=$(getconf CLK_TCK)
CLIENT_CPU=$(($(nproc) - 1))
case "$PIN" in
  none) ;;
  client | split) [ "$CLIENT_CPU" -ge 1 ] || { echo "PIN=$PIN needs at least 2 CPUs" >&2; exit 1; } ;;
  *) echo "PIN must be none, client or split" >&2; exit 1 ;;
esac

cat > "$OUT/resources/tiny.yaml" <<YAML
apiVersion: wasmbind.dev/v1alpha1
kind: WasmBinding
metadata: {name: tiny}
spec:
  url: "file://$(pwd)/examples/bindings/modules/uppercase.wasm"
  limits: {maxRequestBytes: 2Mi, maxConcurrency: 64}
YAML
cat > "$OUT/resources/sha256.yaml" <<YAML
apiVersion: wasmbind.dev/v1alpha1
kind: WasmBinding
metadata: {name: sha256}
spec:
  url: "file://$(pwd)/sidecar/src/test/resources/wasm/sha256.wasm"
  rawData: true
  limits: {maxRequestBytes: 4Mi}
YAML
cat > "$OUT/execute.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"operation":"execute","data":"hello"}'
wrk.headers["Content-Type"] = "application/json"
LUA
# 1 MiB of random bytes as hex: the guest hashes these 2 MiB of text (rawData hands it the
# string's contents), and so does the native build in the comparison.
head -c 1048576 /dev/urandom | od -An -v -tx1 | tr -d ' \n' > "$OUT/sha-stdin.txt"
awk '{printf "{\"operation\":\"execute\",\"data\":\"%s\"}", $0}' "$OUT/sha-stdin.txt" > "$OUT/sha-body.json"
SHA_CALLS="${SHA_CALLS:-21}"
NATIVE="$OUT/sha256-native"
"$(command -v clang || command -v cc)" -O2 -o "$NATIVE" sidecar/src/test/wasm/sha256.c

client() { # runs a client (wrk, curl, the native build) where PIN puts clients
  if [ "$PIN" = none ]; then "$@"; else taskset -c "$CLIENT_CPU" "$@"; fi
}

SIDECARS=() # pids of the sidecars started, stopped on any exit
trap 'kill "${SIDECARS[@]}" 2>/dev/null || true' EXIT

exec_server() { # becomes a sidecar where PIN puts servers (call it with &: $! is the JVM's pid)
  if [ "$PIN" = split ]; then exec taskset -c "0-$((CLIENT_CPU - 1))" "$@"; else exec "$@"; fi
}

median() { sort -n | awk '{t[NR]=$1} END {printf "%.1f", t[int((NR+1)/2)]}'; }

stats() { # numbers, one a line -> "median p25 p75 min max count" (nearest-rank quartiles)
  sort -g | awk '{v[NR] = $1} END {
    if (!NR) { print "- - - - - 0"; exit }
    q = int((NR + 3) / 4); m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
    printf "%.2f %.2f %.2f %.2f %.2f %d\n", m, v[q], v[NR + 1 - q], v[1], v[NR], NR }'
}

sha_http_ms() { # base -> ms of one SHA-256 call over HTTP (curl's total, connection included)
  client curl -sf -o /dev/null -w '%{time_total}\n' -H 'Content-Type: application/json' -H 'Expect:' \
    --data-binary @"$OUT/sha-body.json" "$1/v1.0/bindings/sha256" | awk '{print $1 * 1000}'
}

native_ms() { # "wall-ms cpu-ms" of one spawn of the native build on the guest's STDIN, as the shell
  # sees it: fork, exec, dynamic linking, reading and hashing the 2 MiB, exit. The CPU time is that
  # of the children of the shell that runs this (call it in $(...): the one spawn), in clock ticks:
  # meaningful as a mean over many calls only.
  local t0 t1
  t0=$EPOCHREALTIME
  client "$NATIVE" <"$OUT/sha-stdin.txt" >/dev/null
  t1=$EPOCHREALTIME
  times >"$OUT/native-times" # not in a pipe or $(...): those run in a new process, which has no children
  awk -v a="$t0" -v b="$t1" 'NR == 2 {for (i = 1; i <= 2; i++) {split($i, m, "m"); s += m[1] * 60 + m[2]}
    print (b - a) * 1000, s * 1000}' "$OUT/native-times"
}

native_p50() { # ms per spawn of the native build on the guest's STDIN, median of $SHA_CALLS
  for _ in $(seq "$SHA_CALLS"); do native_ms; done | cut -d' ' -f1 | median
}

gc_count() { # label kind -> collections of that kind (Young|Full) in the sidecar's GC log so far
  grep -c "Pause $2" "$OUT/gc-$1.log" || true
}

sha_run() { # label pid base -> "p50_ms cpu_ms_per_call young_per_call full_per_call"
  local before after y0 f0 y1 f1 p50
  before=$(cpu_ticks "$2"); y0=$(gc_count "$1" Young); f0=$(gc_count "$1" Full)
  p50=$(for _ in $(seq "$SHA_CALLS"); do sha_http_ms "$3"; done | median)
  after=$(cpu_ticks "$2"); y1=$(gc_count "$1" Young); f1=$(gc_count "$1" Full)
  awk -v p="$p50" -v t=$((after - before)) -v hz="$HZ" -v n="$SHA_CALLS" -v y=$((y1 - y0)) -v f=$((f1 - f0)) \
    'BEGIN {printf "%s %.1f %.2f %.2f", p, t / hz * 1000 / n, y / n, f / n}'
}

sha_pairs() { # label pid base round -> "http_p50 native_p50 ratio_median ratio_p25 ratio_p75 cpu_ms young full native_cpu_ms"
  # Each call: one HTTP call and one native spawn back to back, order alternating; per-call
  # lines go to $OUT/sha.rows.
  local before after y0 f0 y1 f1 i h n
  before=$(cpu_ticks "$2"); y0=$(gc_count "$1" Young); f0=$(gc_count "$1" Full)
  : >"$OUT/sha-calls"
  for i in $(seq "$SHA_CALLS"); do
    if [ $((i % 2)) = 1 ]; then h=$(sha_http_ms "$3"); n=$(native_ms); else n=$(native_ms); h=$(sha_http_ms "$3"); fi
    echo "$1 $4 $i $h $n" | tee -a "$OUT/sha.rows" >>"$OUT/sha-calls"  # label round call http native native-cpu
  done
  after=$(cpu_ticks "$2"); y1=$(gc_count "$1" Young); f1=$(gc_count "$1" Full)
  local hs ns rs
  hs=$(awk '{print $4}' "$OUT/sha-calls" | stats); ns=$(awk '{print $5}' "$OUT/sha-calls" | stats)
  rs=$(awk '{print $4 / $5}' "$OUT/sha-calls" | stats)
  awk -v h="$hs" -v n="$ns" -v r="$rs" -v t=$((after - before)) -v hz="$HZ" -v c="$SHA_CALLS" -v y=$((y1 - y0)) -v f=$((f1 - f0)) \
    -v nc="$(awk '{s += $6} END {print s / NR}' "$OUT/sha-calls")" \
    'BEGIN {split(h, H, " "); split(n, N, " "); split(r, R, " ")
      printf "%.1f %.1f %.2f %.2f %.2f %.1f %.2f %.2f %.1f", H[1], N[1], R[1], R[2], R[3], t / hz * 1000 / c, y / c, f / c, nc}'
}

wait_compiled() { # label pid: until both bindings run compiled
  until [ "$(grep -c 'now runs compiled' "$OUT/sidecar-$1.log")" -ge 2 ]; do
    kill -0 "$2" 2>/dev/null || { cat "$OUT/sidecar-$1.log" >&2; exit 1; }
    sleep 0.2
  done
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

busy_ticks() { awk '/^cpu /{print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat; } # all CPUs, not idle

worker_switches() { # pid -> "tid voluntary-switches" per guest worker thread
  local task
  for task in /proc/"$1"/task/*; do
    case "$(cat "$task/comm" 2>/dev/null)" in
      wasm-worker*) echo "${task##*/} $(awk '/^voluntary_ctxt_switches/{print $2}' "$task/status" 2>/dev/null)" ;;
    esac
  done
}

worker_sleeps() { # before-file after-file requests -> guest workers' sleeps (voluntary switches) per request
  awk -v n="$3" 'NR == FNR {was[$1] = $2; next} {s += $2 - ($1 in was ? was[$1] : 0)} END {printf "%.2f", s / n}' "$1" "$2"
}

wrk_run() { # connections url [script] -> "req/s p50 p99 requests wrk-cpu-ms"
  local result
  # `times` after wrk: its second line is the CPU time of this subshell's children, i.e. wrk's.
  if [ -n "${3:-}" ]; then
    result=$(client wrk -t1 -c"$1" -d"$DURATION"s --latency -s "$3" "$2"; times)
  else
    result=$(client wrk -t1 -c"$1" -d"$DURATION"s --latency "$2"; times)
  fi
  echo "$(awk '/Requests\/sec/{print $2}' <<<"$result") $(awk '$1=="50%"{print $2}' <<<"$result")" \
    "$(awk '$1=="99%"{print $2}' <<<"$result") $(awk '/requests in/{print $1}' <<<"$result")" \
    "$(tail -1 <<<"$result" | awk '{for (i = 1; i <= 2; i++) {split($i, t, "m"); s += t[1] * 60 + t[2]}} END {printf "%.0f", s * 1000}')"
}

flags_of() { # label -> the JVM flags that jar runs with
  if [ "$1" = new ]; then echo "$NEW_JAVA_FLAGS"; else echo "$JAVA_FLAGS"; fi
}

run_jar() { # label jar
  exec_server "$JAVA" $(flags_of "$1") "-Xlog:gc:file=$OUT/gc-$1.log" -jar "$2" --resources "$OUT/resources" \
    --http-port "$PORT" --grpc-port 0 --log-level info >"$OUT/sidecar-$1.log" 2>&1 &
  local pid=$!
  SIDECARS+=("$pid")
  until curl -sf -o /dev/null "http://127.0.0.1:$PORT/v1.0/healthz"; do
    kill -0 "$pid" 2>/dev/null || { cat "$OUT/sidecar-$1.log" >&2; exit 1; }
    sleep 0.05
  done
  wait_compiled "$1" "$pid"
  local base="http://127.0.0.1:$PORT"
  # Warm-up: the JIT and the guest compiler.
  client wrk -t1 -c8 -d10s -s "$OUT/execute.lua" "$base/v1.0/bindings/tiny" >/dev/null
  client wrk -t1 -c8 -d3s "$base/v1.0/healthz" >/dev/null
  for _ in $(seq 5); do sha_http_ms "$base" >/dev/null; done
  local load h8 e8 h1 e1 before after cpu sha
  load=$(cut -d' ' -f1 /proc/loadavg)
  h8=$(wrk_run 8 "$base/v1.0/healthz")
  before=$(cpu_ticks $pid)
  e8=$(wrk_run 8 "$base/v1.0/bindings/tiny" "$OUT/execute.lua")
  after=$(cpu_ticks $pid)
  cpu=$(awk -v t=$((after - before)) -v hz="$HZ" -v n="$(cut -d' ' -f4 <<<"$e8")" 'BEGIN{printf "%.0f", t / hz * 1e6 / n}')
  h1=$(wrk_run 1 "$base/v1.0/healthz")
  e1=$(wrk_run 1 "$base/v1.0/bindings/tiny" "$OUT/execute.lua")
  read -r sha _ <<<"$(sha_run "$1" "$pid" "$base")"
  local rss
  rss=$(awk '/VmRSS/{print int($2/1024)}' "/proc/$pid/status")
  kill "$pid"; wait "$pid" 2>/dev/null || true
  read -r h8r _ <<<"$h8"; read -r e8r e8p50 e8p99 _ <<<"$e8"
  read -r h1r _ <<<"$h1"; read -r e1r e1p50 e1p99 _ <<<"$e1"
  echo "| $round | $1 | $load | $e8r | $h8r | $(awk -v a="$e8r" -v b="$h8r" 'BEGIN{printf "%.2f", a/b}')" \
    "| $e8p50 / $e8p99 | $cpu | $e1r | $h1r | $(awk -v a="$e1r" -v b="$h1r" 'BEGIN{printf "%.2f", a/b}')" \
    "| $e1p50 / $e1p99 | $sha | $rss |"
}

start_jar() { # label jar port; sets started_pid
  exec_server "$JAVA" $(flags_of "$1") "-Xlog:gc:file=$OUT/gc-$1.log" -jar "$2" --resources "$OUT/resources" \
    --http-port "$3" --grpc-port 0 --log-level info >"$OUT/sidecar-$1.log" 2>&1 &
  started_pid=$!
  SIDECARS+=("$started_pid")
  until curl -sf -o /dev/null "http://127.0.0.1:$3/v1.0/healthz"; do
    kill -0 "$started_pid" 2>/dev/null || { cat "$OUT/sidecar-$1.log" >&2; exit 1; }
    sleep 0.05
  done
  wait_compiled "$1" "$started_pid"
  if [ "${SHA_ONLY:-0}" != 1 ]; then
    client wrk -t1 -c8 -d10s -s "$OUT/execute.lua" "http://127.0.0.1:$3/v1.0/bindings/tiny" >/dev/null
    client wrk -t1 -c8 -d3s "http://127.0.0.1:$3/v1.0/healthz" >/dev/null
  fi
  for _ in $(seq 10); do # warm-up of the SHA-256 path (and of the native build's pages)
    sha_http_ms "http://127.0.0.1:$3" >/dev/null
    native_ms >/dev/null
  done
}

c8_run() { # pid url [script] -> "req/s p50 requests sidecar-µs-per-request wrk-µs-per-request foreign-%-of-a-core"
  local before after busy0 busy1 t0 t1 r rps p50 n wrkms
  before=$(cpu_ticks "$1"); busy0=$(busy_ticks); t0=$EPOCHREALTIME
  r=$(wrk_run 8 "$2" "${3:-}")
  after=$(cpu_ticks "$1"); busy1=$(busy_ticks); t1=$EPOCHREALTIME
  read -r rps p50 _ n wrkms <<<"$r"
  awk -v rps="$rps" -v p50="$p50" -v n="$n" -v s=$((after - before)) -v b=$((busy1 - busy0)) -v w="$wrkms" \
    -v hz="$HZ" -v t0="$t0" -v t1="$t1" 'BEGIN {
      printf "%s %s %d %.1f %.1f %.0f", rps, p50, n, s / hz * 1e6 / n, w * 1000 / n, ((b - s) / hz - w / 1000) / (t1 - t0) * 100 }'
}

c8_pairs() { # label pid base round -> per pair "label round pair load foreign e8r h8r ratio cpu_ratio e_us h_us e_wrk_us h_wrk_us"
  # into $OUT/pairs.rows (and this round's into $OUT/pairs-round); sets e8_p50, e8_requests,
  # e8_young and e8_sleeps for the execute runs of the round.
  local p e h load y0 y1 er ep en eus ewrk efor hr hus hwrk hfor
  : >"$OUT/pairs-round"
  e8_requests=0; e8_young=0; e8_p50=""
  worker_switches "$2" >"$OUT/switches-before"
  for p in $(seq "$PAIRS"); do
    load=$(cut -d' ' -f1 /proc/loadavg)
    if [ $(((p + $4) % 2)) = 0 ]; then
      h=$(c8_run "$2" "$3/v1.0/healthz")
      y0=$(gc_count "$1" Young); e=$(c8_run "$2" "$3/v1.0/bindings/tiny" "$OUT/execute.lua"); y1=$(gc_count "$1" Young)
    else
      y0=$(gc_count "$1" Young); e=$(c8_run "$2" "$3/v1.0/bindings/tiny" "$OUT/execute.lua"); y1=$(gc_count "$1" Young)
      h=$(c8_run "$2" "$3/v1.0/healthz")
    fi
    read -r er ep en eus ewrk efor <<<"$e"; read -r hr _ _ hus hwrk hfor <<<"$h"
    e8_requests=$((e8_requests + en)); e8_young=$((e8_young + y1 - y0)); e8_p50="$e8_p50 $ep"
    awk -v l="$1" -v r="$4" -v p="$p" -v load="$load" -v ef="$efor" -v hf="$hfor" -v er="$er" -v hr="$hr" \
      -v eus="$eus" -v hus="$hus" -v ew="$ewrk" -v hw="$hwrk" 'BEGIN {
        printf "%s %s %s %s %.0f %.0f %.0f %.3f %.3f %s %s %s %s\n", l, r, p, load, (ef > hf ? ef : hf), er, hr, er / hr,
          (hus + hw) / (eus + ew), eus, hus, ew, hw }' | tee -a "$OUT/pairs.rows" >>"$OUT/pairs-round"
  done
  worker_switches "$2" >"$OUT/switches-after"
  e8_sleeps=$(worker_sleeps "$OUT/switches-before" "$OUT/switches-after" "$e8_requests")
}

pair_column() { # column of this round's pairs -> stats
  awk -v c="$1" '{print $c}' "$OUT/pairs-round" | stats
}

p50_us() { # wrk latencies (5us, 1.2ms, ...) -> median in µs
  for v in "$@"; do
    awk -v p="$v" 'BEGIN {us = p + 0; if (p ~ /ms$/) us *= 1000; else if (p ~ /[0-9]s$/) us *= 1e6; print us}'
  done | stats | cut -d' ' -f1
}

interleaved() {
  local old_pid new_pid
  start_jar old "$OLD" "$PORT"; old_pid=$started_pid
  start_jar new "$NEW" $((PORT + 1)); new_pid=$started_pid
  echo "| round | jar | load | foreign CPU % | execute c8 req/s | healthz c8 req/s | ratio c8 (pairs' range) | CPU ratio c8 | CPU µs per execute | CPU µs per healthz | young GCs per 1k execute | execute c1 req/s | execute c1 p50 / p99 | healthz c1 req/s | SHA-256 p50 ms | native p50 ms | ratio (p25–p75) | CPU ms per SHA-256 | native CPU ms per spawn | young / full GCs per SHA-256 | execute c8 p50 µs | worker sleeps per execute |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
  for round in $(seq "$ROUNDS"); do
    for jar in old new; do
      local pid=$old_pid port=$PORT
      if [ $jar = new ]; then pid=$new_pid; port=$((PORT + 1)); fi
      local base="http://127.0.0.1:$port" load e1 h1 sha
      load=$(cut -d' ' -f1 /proc/loadavg)
      sha=$(sha_pairs $jar $pid "$base" "$round")
      read -r shap50 natp50 shar shar25 shar75 shacpu shay shaf natcpu <<<"$sha"
      local shacols="$shap50 | $natp50 | $shar ($shar25–$shar75) | $shacpu | $natcpu | $shay / $shaf"
      if [ "${SHA_ONLY:-0}" = 1 ]; then
        echo "| $round | $jar | $load | - | - | - | - | - | - | - | - | - | - | - | $shacols | - | - |" | tee -a "$OUT/interleaved.rows"
        continue
      fi
      c8_pairs $jar $pid "$base" "$round"
      e1=$(wrk_run 1 "$base/v1.0/bindings/tiny" "$OUT/execute.lua")
      h1=$(wrk_run 1 "$base/v1.0/healthz")
      read -r e1r e1p50 e1p99 _ <<<"$e1"; read -r h1r _ <<<"$h1"
      local f er hr r rlo rhi c eus hus
      read -r f _ <<<"$(pair_column 5)"; read -r er _ <<<"$(pair_column 6)"; read -r hr _ <<<"$(pair_column 7)"
      read -r r _ _ rlo rhi _ <<<"$(pair_column 8)"; read -r c _ <<<"$(pair_column 9)"
      read -r eus _ <<<"$(pair_column 10)"; read -r hus _ <<<"$(pair_column 11)"
      local c8cols
      c8cols=$(awk -v f="$f" -v er="$er" -v hr="$hr" -v r="$r" -v rlo="$rlo" -v rhi="$rhi" -v c="$c" -v eus="$eus" -v hus="$hus" \
        -v y="$e8_young" -v n="$e8_requests" \
        'BEGIN {printf "%.0f | %.0f | %.0f | %.2f (%.2f–%.2f) | %.2f | %.0f | %.0f | %.2f", f, er, hr, r, rlo, rhi, c, eus, hus, y * 1000 / n}')
      echo "| $round | $jar | $load | $c8cols | $e1r | $e1p50 / $e1p99 | $h1r | $shacols | $(p50_us $e8_p50) | $e8_sleeps |" | tee -a "$OUT/interleaved.rows"
    done
  done
  sleep 20
  local idle_old idle_new
  idle_old=$(awk '/VmRSS/{print int($2/1024)}' "/proc/$old_pid/status")
  idle_new=$(awk '/VmRSS/{print int($2/1024)}' "/proc/$new_pid/status")
  kill "$old_pid" "$new_pid"; wait "$old_pid" "$new_pid" 2>/dev/null || true
  echo
  echo "Idle RSS 20 s after the last request: old $idle_old MiB, new $idle_new MiB."
  echo
  summary
}

summary() { # medians per jar over the rounds, the pairs and the SHA-256 calls
  local jar
  echo "Medians over $ROUNDS rounds (per round: medians of its pairs and calls):"
  echo
  echo "| jar | execute c8 req/s | ratio c8 | CPU µs per execute | young GCs per 1k execute | execute c1 req/s | SHA-256 p50 ms | native p50 ms | ratio | CPU ms per SHA-256 | native CPU ms per spawn | young GCs per SHA-256 | full GCs per SHA-256 | execute c8 p50 µs | worker sleeps per execute |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
  for jar in old new; do
    grep "| $jar |" "$OUT/interleaved.rows" | awk -F'|' -v jar=$jar '
      function median(a, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
        return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
      { n++; e8[n] = $6; r8[n] = $8; cpu[n] = $10; ygk[n] = $12; e1[n] = $13; sha[n] = $16; nat[n] = $17; rat[n] = $18; scpu[n] = $19
        ncpu[n] = $20; split($21, g, "/"); yg[n] = g[1]; fg[n] = g[2]; p8[n] = $22; ws[n] = $23 }
      END { printf "| %s | %.0f | %.2f | %.0f | %.2f | %.0f | %.1f | %.1f | %.2f | %.1f | %.1f | %.2f | %.2f | %.0f | %.2f |\n", jar, median(e8, n), median(r8, n), median(cpu, n), median(ygk, n), median(e1, n),
        median(sha, n), median(nat, n), median(rat, n), median(scpu, n), median(ncpu, n), median(yg, n), median(fg, n), median(p8, n), median(ws, n) }'
  done
  echo
  echo "The ratios over all pairs and calls: median (p25–p75, min–max, count):"
  echo
  echo "| jar | execute/healthz req/s, c8 | pairs with foreign CPU < $QUIET_FOREIGN % | CPU ratio c8 (sidecar + wrk) | sidecar CPU ratio c8 | foreign CPU % | SHA-256 HTTP/native |"
  echo "|---|---|---|---|---|---|---|"
  local fmt='{if ($6 == 0) print "none"; else printf "%.2f (%.2f–%.2f, %.2f–%.2f, %d)", $1, $2, $3, $4, $5, $6}'
  for jar in old new; do
    local rat quiet cpu srv fore sha
    if [ "${SHA_ONLY:-0}" = 1 ]; then
      rat=-; quiet=-; cpu=-; srv=-; fore=-
    else
      rat=$(awk -v j=$jar '$1 == j {print $8}' "$OUT/pairs.rows" | stats | awk "$fmt")
      quiet=$(awk -v j=$jar -v q="$QUIET_FOREIGN" '$1 == j && $5 < q {print $8}' "$OUT/pairs.rows" | stats | awk "$fmt")
      cpu=$(awk -v j=$jar '$1 == j {print $9}' "$OUT/pairs.rows" | stats | awk "$fmt")
      srv=$(awk -v j=$jar '$1 == j {print $11 / $10}' "$OUT/pairs.rows" | stats | awk "$fmt")
      fore=$(awk -v j=$jar '$1 == j {print $5}' "$OUT/pairs.rows" | stats | awk '{printf "%.0f (%.0f–%.0f)", $1, $4, $5}')
    fi
    sha=$(awk -v j=$jar '$1 == j {print $4 / $5}' "$OUT/sha.rows" | stats | awk "$fmt")
    echo "| $jar | $rat | $quiet | $cpu | $srv | $fore | $sha |"
  done
}

echo "- date: $(date -u +%Y-%m-%dT%H:%MZ); cpu: $(nproc) x $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "- java: $("$JAVA" -version 2>&1 | head -1); flags: $JAVA_FLAGS"
[ "$NEW_JAVA_FLAGS" = "$JAVA_FLAGS" ] || echo "- new jar's flags: $NEW_JAVA_FLAGS"
echo "- wrk -t1, ${DURATION}s per run; old = $OLD, new = $NEW; PIN=$PIN${PAIRS:+, $PAIRS pair(s) of c8 runs per round}, $SHA_CALLS SHA-256 calls per round"
echo "- load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
if [ "${INTERLEAVED:-0}" = 1 ]; then
  rm -f "$OUT/interleaved.rows" "$OUT/pairs.rows" "$OUT/sha.rows"
  interleaved
  echo
  echo "- load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
  exit 0
fi
echo "| round | jar | load | execute c8 req/s | healthz c8 req/s | ratio c8 | execute c8 p50 / p99 | CPU µs per execute | execute c1 req/s | healthz c1 req/s | ratio c1 | execute c1 p50 / p99 | SHA-256 2 MiB hex p50 ms | RSS MiB |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
for round in $(seq "$ROUNDS"); do
  if [ $((round % 2)) -eq 1 ]; then
    run_jar old "$OLD"; run_jar new "$NEW"
  else
    run_jar new "$NEW"; run_jar old "$OLD"
  fi
done
echo
echo "- load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
