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
# Needs wrk and clang or cc (scripts/setup.sh --bench).
# Usage: [INTERLEAVED=1] [SHA_ONLY=1] [SHA_CALLS=N] scripts/bench-http-path.sh OLD.jar NEW.jar [seconds per wrk run, default 8] [rounds, default 3]
set -euo pipefail
cd "$(dirname "$0")/.."

OLD="$1"
NEW="$2"
DURATION="${3:-8}"
ROUNDS="${4:-3}"
PORT="${BENCH_PORT:-3613}"
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

median() { sort -n | awk '{t[NR]=$1} END {printf "%.1f", t[int((NR+1)/2)]}'; }

native_p50() { # ms per spawn of the native build on the guest's STDIN, median of $SHA_CALLS
  local t0 t1
  for _ in $(seq "$SHA_CALLS"); do
    t0=$EPOCHREALTIME
    "$NATIVE" <"$OUT/sha-stdin.txt" >/dev/null
    t1=$EPOCHREALTIME
    echo "$t0 $t1"
  done | awk '{print ($2 - $1) * 1000}' | median
}

gc_count() { # label kind -> collections of that kind (Young|Full) in the sidecar's GC log so far
  grep -c "Pause $2" "$OUT/gc-$1.log" || true
}

sha_run() { # label pid base -> "p50_ms cpu_ms_per_call young_per_call full_per_call"
  local before after y0 f0 y1 f1 p50
  before=$(cpu_ticks "$2"); y0=$(gc_count "$1" Young); f0=$(gc_count "$1" Full)
  p50=$(for _ in $(seq "$SHA_CALLS"); do
      curl -sf -o /dev/null -w '%{time_total}\n' -H 'Content-Type: application/json' \
        --data-binary @"$OUT/sha-body.json" "$3/v1.0/bindings/sha256" | awk '{print $1 * 1000}'
    done | median)
  after=$(cpu_ticks "$2"); y1=$(gc_count "$1" Young); f1=$(gc_count "$1" Full)
  awk -v p="$p50" -v t=$((after - before)) -v hz="$HZ" -v n="$SHA_CALLS" -v y=$((y1 - y0)) -v f=$((f1 - f0)) \
    'BEGIN {printf "%s %.1f %.2f %.2f", p, t / hz * 1000 / n, y / n, f / n}'
}

wait_compiled() { # label pid: until both bindings run compiled
  until [ "$(grep -c 'now runs compiled' "$OUT/sidecar-$1.log")" -ge 2 ]; do
    kill -0 "$2" 2>/dev/null || { cat "$OUT/sidecar-$1.log" >&2; exit 1; }
    sleep 0.2
  done
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

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

wrk_run() { # connections url [script] -> "req/s p50 p99 requests"
  local result
  if [ -n "${3:-}" ]; then
    result=$(wrk -t1 -c"$1" -d"$DURATION"s --latency -s "$3" "$2")
  else
    result=$(wrk -t1 -c"$1" -d"$DURATION"s --latency "$2")
  fi
  echo "$(awk '/Requests\/sec/{print $2}' <<<"$result") $(awk '$1=="50%"{print $2}' <<<"$result")" \
    "$(awk '$1=="99%"{print $2}' <<<"$result") $(awk '/requests in/{print $1}' <<<"$result")"
}

flags_of() { # label -> the JVM flags that jar runs with
  if [ "$1" = new ]; then echo "$NEW_JAVA_FLAGS"; else echo "$JAVA_FLAGS"; fi
}

run_jar() { # label jar
  "$JAVA" $(flags_of "$1") "-Xlog:gc:file=$OUT/gc-$1.log" -jar "$2" --resources "$OUT/resources" \
    --http-port "$PORT" --grpc-port 0 --log-level info >"$OUT/sidecar-$1.log" 2>&1 &
  local pid=$!
  until curl -sf -o /dev/null "http://127.0.0.1:$PORT/v1.0/healthz"; do
    kill -0 "$pid" 2>/dev/null || { cat "$OUT/sidecar-$1.log" >&2; exit 1; }
    sleep 0.05
  done
  wait_compiled "$1" "$pid"
  local base="http://127.0.0.1:$PORT"
  # Warm-up: the JIT and the guest compiler.
  wrk -t1 -c8 -d10s -s "$OUT/execute.lua" "$base/v1.0/bindings/tiny" >/dev/null
  wrk -t1 -c8 -d3s "$base/v1.0/healthz" >/dev/null
  for _ in $(seq 5); do
    curl -sf -o /dev/null -H 'Content-Type: application/json' --data-binary @"$OUT/sha-body.json" "$base/v1.0/bindings/sha256"
  done
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
  read -r h8r _ _ _ <<<"$h8"; read -r e8r e8p50 e8p99 _ <<<"$e8"
  read -r h1r _ _ _ <<<"$h1"; read -r e1r e1p50 e1p99 _ <<<"$e1"
  echo "| $round | $1 | $load | $e8r | $h8r | $(awk -v a="$e8r" -v b="$h8r" 'BEGIN{printf "%.2f", a/b}')" \
    "| $e8p50 / $e8p99 | $cpu | $e1r | $h1r | $(awk -v a="$e1r" -v b="$h1r" 'BEGIN{printf "%.2f", a/b}')" \
    "| $e1p50 / $e1p99 | $sha | $rss |"
}

start_jar() { # label jar port; sets started_pid
  "$JAVA" $(flags_of "$1") "-Xlog:gc:file=$OUT/gc-$1.log" -jar "$2" --resources "$OUT/resources" \
    --http-port "$3" --grpc-port 0 --log-level info >"$OUT/sidecar-$1.log" 2>&1 &
  started_pid=$!
  until curl -sf -o /dev/null "http://127.0.0.1:$3/v1.0/healthz"; do
    kill -0 "$started_pid" 2>/dev/null || { cat "$OUT/sidecar-$1.log" >&2; exit 1; }
    sleep 0.05
  done
  wait_compiled "$1" "$started_pid"
  if [ "${SHA_ONLY:-0}" != 1 ]; then
    wrk -t1 -c8 -d10s -s "$OUT/execute.lua" "http://127.0.0.1:$3/v1.0/bindings/tiny" >/dev/null
    wrk -t1 -c8 -d3s "http://127.0.0.1:$3/v1.0/healthz" >/dev/null
  fi
  for _ in $(seq 10); do # warm-up of the SHA-256 path
    curl -sf -o /dev/null -H 'Content-Type: application/json' \
      --data-binary @"$OUT/sha-body.json" "http://127.0.0.1:$3/v1.0/bindings/sha256"
  done
}

interleaved() {
  local old_pid new_pid
  start_jar old "$OLD" "$PORT"; old_pid=$started_pid
  start_jar new "$NEW" $((PORT + 1)); new_pid=$started_pid
  echo "| round | jar | load | execute c8 req/s | healthz c8 req/s | ratio c8 | CPU µs per execute | young GCs per 1k execute | execute c1 req/s | execute c1 p50 / p99 | healthz c1 req/s | SHA-256 p50 ms | native p50 ms | ratio | CPU ms per SHA-256 | young / full GCs per SHA-256 | execute c8 p50 | worker sleeps per execute |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
  for round in $(seq "$ROUNDS"); do
    for jar in old new; do
      local pid=$old_pid port=$PORT
      if [ $jar = new ]; then pid=$new_pid; port=$((PORT + 1)); fi
      local base="http://127.0.0.1:$port" load before after e8 h8 e1 h1 cpu native sha
      load=$(cut -d' ' -f1 /proc/loadavg)
      native=$(native_p50)
      sha=$(sha_run $jar $pid "$base")
      read -r shap50 shacpu shay shaf <<<"$sha"
      local shacols
      shacols="$shap50 | $native | $(awk -v a="$shap50" -v b="$native" 'BEGIN{printf "%.2f", a/b}') | $shacpu | $shay / $shaf"
      if [ "${SHA_ONLY:-0}" = 1 ]; then
        echo "| $round | $jar | $load | - | - | - | - | - | - | - | - | $shacols | - | - |" | tee -a "$OUT/interleaved.rows"
        continue
      fi
      local y0 y1 ygc sleeps
      worker_switches $pid >"$OUT/switches-before"
      before=$(cpu_ticks $pid); y0=$(gc_count $jar Young)
      e8=$(wrk_run 8 "$base/v1.0/bindings/tiny" "$OUT/execute.lua")
      after=$(cpu_ticks $pid); y1=$(gc_count $jar Young)
      worker_switches $pid >"$OUT/switches-after"
      sleeps=$(worker_sleeps "$OUT/switches-before" "$OUT/switches-after" "$(cut -d' ' -f4 <<<"$e8")")
      cpu=$(awk -v t=$((after - before)) -v hz="$HZ" -v n="$(cut -d' ' -f4 <<<"$e8")" 'BEGIN{printf "%.0f", t / hz * 1e6 / n}')
      ygc=$(awk -v y=$((y1 - y0)) -v n="$(cut -d' ' -f4 <<<"$e8")" 'BEGIN{printf "%.2f", y * 1000 / n}')
      h8=$(wrk_run 8 "$base/v1.0/healthz")
      e1=$(wrk_run 1 "$base/v1.0/bindings/tiny" "$OUT/execute.lua")
      h1=$(wrk_run 1 "$base/v1.0/healthz")
      read -r e8r e8p50 _ _ <<<"$e8"; read -r h8r _ _ _ <<<"$h8"
      read -r e1r e1p50 e1p99 _ <<<"$e1"; read -r h1r _ _ _ <<<"$h1"
      echo "| $round | $jar | $load | $e8r | $h8r | $(awk -v a="$e8r" -v b="$h8r" 'BEGIN{printf "%.2f", a/b}') | $cpu | $ygc | $e1r | $e1p50 / $e1p99 | $h1r | $shacols | $e8p50 | $sleeps |" | tee -a "$OUT/interleaved.rows"
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
  echo "Medians over $ROUNDS rounds:"
  echo
  echo "| jar | execute c8 req/s | ratio c8 | CPU µs per execute | young GCs per 1k execute | execute c1 req/s | SHA-256 p50 ms | native p50 ms | ratio | CPU ms per SHA-256 | young GCs per SHA-256 | full GCs per SHA-256 | execute c8 p50 µs | worker sleeps per execute |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
  for jar in old new; do
    grep "| $jar |" "$OUT/interleaved.rows" | awk -F'|' -v jar=$jar '
      function median(a, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
        return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
      { n++; e8[n] = $5; r8[n] = $7; cpu[n] = $8; ygk[n] = $9; e1[n] = $10; sha[n] = $13; nat[n] = $14; rat[n] = $15; scpu[n] = $16
        split($17, g, "/"); yg[n] = g[1]; fg[n] = g[2]
        p = $18; gsub(/ /, "", p); us = p + 0; if (p ~ /ms$/) us *= 1000; else if (p ~ /[0-9]s$/) us *= 1e6; p8[n] = us; ws[n] = $19 }
      END { printf "| %s | %.0f | %.2f | %.0f | %.2f | %.0f | %.1f | %.1f | %.2f | %.1f | %.2f | %.2f | %.0f | %.2f |\n", jar, median(e8, n), median(r8, n), median(cpu, n), median(ygk, n), median(e1, n),
        median(sha, n), median(nat, n), median(rat, n), median(scpu, n), median(yg, n), median(fg, n), median(p8, n), median(ws, n) }'
  done
}

echo "- date: $(date -u +%Y-%m-%dT%H:%MZ); cpu: $(nproc) x $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "- java: $("$JAVA" -version 2>&1 | head -1); flags: $JAVA_FLAGS"
[ "$NEW_JAVA_FLAGS" = "$JAVA_FLAGS" ] || echo "- new jar's flags: $NEW_JAVA_FLAGS"
echo "- wrk -t1, ${DURATION}s per run; old = $OLD, new = $NEW"
echo "- load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
if [ "${INTERLEAVED:-0}" = 1 ]; then
  rm -f "$OUT/interleaved.rows"
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
