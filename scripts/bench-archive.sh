#!/usr/bin/env bash
# What the start-up archive holds and how it is made, against ready, RSS and the first calls
# (docs/bench/archive.md). Three bindings (as scripts/bench-startup.sh), the documented flags
# (scripts/sidecar-jvm.sh) unless JAVA_FLAGS says otherwise. A config is KIND-TRAINING[-VARIANT]:
#   KIND      jdk25        JDK 25+ and an AOT cache (-XX:AOTCacheOutput, then -XX:AOTCache)
#             jdk17        JDK 17 and a dynamic AppCDS archive on top of the JDK's own
#             jdk17static  JDK 17 and one static AppCDS archive (-XX:DumpLoadedClassList, then
#                          -Xshare:dump with the jar on the class path): the JDK's classes the
#                          sidecar uses and its own, nothing else
#   TRAINING  none         no archive of the sidecar's (the JDK's own only): the reference
#             ready        the training run starts, answers one healthz and exits
#             calls        ... plus one execute each of two bindings (what bench-startup.sh does)
#             documented   the training of run-standalone.sh and the image (scripts/sidecar-jvm.sh,
#                          sidecar_training_run: examples/bindings, once every module runs
#                          compiled the requests of scripts/sidecar-training-calls.txt)
#             all          every kind of request: executes (with args, sha256, an unknown binding,
#                          a malformed body), metadata, metrics, gRPC InvokeBinding (h2c) and a
#                          malformed gRPC payload, before and after the modules run compiled
#   VARIANT   extra JVM flags for training and runs, from $VARIANT_<name> (e.g.
#             VARIANT_noperf="-XX:-UsePerfData" and config jdk25-calls-noperf)
# An archive is made once and reused while it is newer than the jar; RETRAIN=1 remakes them all.
# Runs alternate between configs (run 1 of each, then run 2 of each...). Per run:
#   ready     process start to the first healthz 204 (await_healthz: bash's /dev/tcp every 2 ms); cpu: CPU to ready
#   createvm  -Xlog:startuptime "Create VM" (ms); genesis: its "Genesis" phase (JDK 25 only)
#   classes   loaded classes at ready (jcmd PerfCounter.print, right after ready)
#   rss       VmRSS at ready, and idle: 5 s (IDLE_SECONDS) after the first calls
#   first     once all three modules run compiled (+1 s): the first tiny execute, the first
#             sha256 execute and the first gRPC InvokeBinding: wall ms (curl) and process CPU ms
#   archive   archive file size (MB) and its resident pages at idle (MiB, smaps)
# MODE=version instead runs `--version` (JVM creation with the archive mapped and, on JDK 25, every
# cached class loaded; then exit) many times, cheaply: Create VM, Genesis, wall and CPU time
# (user+sys) and peak RSS of the process, per run.
# MODE=classes instead logs class loading (-Xlog:class+load) and prints, per config, where the
# classes the first tiny execute loads come from (archive, jar, the JDK's modules, generated).
# Usage: CONFIGS="jdk25-ready jdk25-calls" scripts/bench-archive.sh [runs per config, default 3]
#        MODE=version scripts/bench-archive.sh 15
# Appends to docs/bench/archive.csv (MODE=version: docs/bench/archive-createvm.csv).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/sidecar-jvm.sh
. scripts/sidecar-jvm.sh
# shellcheck source=scripts/bench-bindings.sh
. scripts/bench-bindings.sh

RUNS="${1:-3}"
PORT="${BENCH_PORT:-3630}"
GPORT=$((PORT + 1))
JAR="${JAR:-sidecar/target/wasmbind-sidecar.jar}"
OUT=sidecar/target/bench-archive
CSV=docs/bench/archive.csv
JDK25="${JDK25:-$(ls -d /usr/lib/jvm/temurin-2[5-9]* 2>/dev/null | head -1)}"
JDK17="${JDK17:-java}"
CONFIGS="${CONFIGS:-jdk25-ready jdk25-calls jdk25-all jdk17-ready jdk17-calls jdk17-all jdk17static-calls}"
FLAGS="${JAVA_FLAGS:-$SIDECAR_JAVA_FLAGS_DEFAULT}"
LABEL="${BENCH_LABEL:+-$BENCH_LABEL}"
export MALLOC_ARENA_MAX=2

[ -f "$JAR" ] || mvn -B -q -pl sidecar -am package -DskipTests
mkdir -p "$OUT/resources"
write_start_up_bindings "$OUT/resources"
# gRPC frames: InvokeBinding of "hello" (data "grpc", operation "execute"), and one that is not
# protobuf (0x0c ends a group that never started).
printf '\x00\x00\x00\x00\x16\x0a\x05hello\x12\x04grpc\x22\x07execute' > "$OUT/grpc-request.bin"
printf '\x00\x00\x00\x00\x01\x0c' > "$OUT/grpc-malformed.bin"

pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null || true' EXIT

# config CONFIG [train]: sets java, flags (JVM flags incl. the archive's), base_flags (without the
# archive's) and archive (its file).
config() {
  local c="$1" train="${2:-}" kind training variant extra=""
  base_flags=
  IFS=- read -r kind training variant <<<"$c"
  if [ -n "$variant" ]; then
    local var="VARIANT_$variant"
    extra="${!var:?no \$VARIANT_$variant for config $c}"
  fi
  base_flags="$FLAGS $extra"
  case "$kind" in
    jdk25)
      java="$JDK25/bin/java"; archive="$OUT/$c.aot"
      flags="$FLAGS $extra -Xlog:aot*=off -Xlog:cds*=off --sun-misc-unsafe-memory-access=allow"
      if [ -n "$train" ]; then flags+=" -XX:AOTCacheOutput=$archive"; else flags+=" -XX:AOTCache=$archive"; fi ;;
    jdk17)
      java="$JDK17"; archive="$OUT/$c.jsa"
      flags="$FLAGS $extra -Xlog:cds=off -Xlog:cds+dynamic=off"
      if [ -n "$train" ]; then flags+=" -XX:ArchiveClassesAtExit=$archive"; else flags+=" -XX:SharedArchiveFile=$archive"; fi ;;
    jdk17static)
      java="$JDK17"; archive="$OUT/$c.jsa"
      flags="$FLAGS $extra -Xlog:cds=off"
      if [ -n "$train" ]; then flags+=" -XX:DumpLoadedClassList=$OUT/$c.classlist"; else flags+=" -XX:SharedArchiveFile=$archive"; fi ;;
    *) echo "unknown config $c" >&2; exit 2 ;;
  esac
  case "$training" in
    none) flags="$base_flags"; archive="" ;;
    ready|calls|documented|all) ;;
    *) echo "unknown training in $c" >&2; exit 2 ;;
  esac
}

start() { # JAVA FLAGS...; sets pid, t0 (ns) and ready (ms)
  local java="$1"; shift
  t0=$(date +%s%N)
  # shellcheck disable=SC2068
  "$java" $@ -Xlog:startuptime:file="$OUT/startuptime.log" -jar "$JAR" --resources "$OUT/resources" \
    --http-port "$PORT" --grpc-port "$GPORT" --log-level debug >"$OUT/sidecar.log" 2>&1 &
  pid=$!
  await_healthz "$PORT" "$pid" || { echo "the sidecar exited:" >&2; tail -5 "$OUT/sidecar.log" >&2; exit 1; }
  ready=$(( ($(date +%s%N) - t0) / 1000000 ))
}
stop() { kill "$pid"; wait "$pid" 2>/dev/null || true; pid=; }
rss() { awk '/VmRSS/{print int($2/1024)}' "/proc/$pid/status"; }
cpu_ms() { awk '{print ($14 + $15) * 1000 / '"$(getconf CLK_TCK)"'}' "/proc/$pid/stat"; }
jdk_tool() { local d; d="$(dirname "$(readlink -f "$(command -v "$java")")")"; if [ -x "$d/$1" ]; then echo "$d/$1"; else echo "$1"; fi; }
classes() { "$(jdk_tool jcmd)" "$pid" PerfCounter.print 2>/dev/null | awk -F= '/java.cls.(shared)?[lL]oadedClasses=/{s+=$2} END{print s+0}'; }
compiled() { until [ "$(grep -c "now runs compiled" "$OUT/sidecar.log")" -ge 3 ]; do sleep 0.1; done; }
execute() { # BINDING BODY -> wall ms
  curl -s -o /dev/null -w '%{time_total}' -d "$2" "http://127.0.0.1:$PORT/v1.0/bindings/$1" | awk '{printf "%.1f", $1 * 1000}'
}
grpc() { # FRAME -> wall ms
  curl -s --max-time 5 --http2-prior-knowledge -X POST -H 'content-type: application/grpc' \
    -H 'te: trailers' --data-binary @"$1" -o /dev/null -w '%{time_total}' \
    "http://127.0.0.1:$GPORT/dapr.proto.runtime.v1.Dapr/InvokeBinding" | awk '{printf "%.1f", $1 * 1000}'
}
timed() { # CMD... -> "wall_ms cpu_ms": the command's wall time and the sidecar's CPU meanwhile
  local c0 wall
  c0=$(cpu_ms); wall=$("$@")
  echo "$wall $(awk -v a="$c0" -v b="$(cpu_ms)" 'BEGIN{printf "%.0f", b - a}')"
}
every_kind() {
  execute tiny '{"operation":"execute","data":"hi"}' >/dev/null
  execute hello '{"operation":"execute","metadata":{"args":"-ne,print \"Hello, \"; print"},"data":"salaboy"}' >/dev/null
  execute sha256 '{"operation":"execute","data":"hi"}' >/dev/null
  execute nope '{"operation":"execute"}' >/dev/null
  execute tiny '{"operation":' >/dev/null
  curl -s -o /dev/null "http://127.0.0.1:$PORT/v1.0/metadata"
  curl -s -o /dev/null "http://127.0.0.1:$PORT/metrics"
  grpc "$OUT/grpc-request.bin" >/dev/null
  grpc "$OUT/grpc-malformed.bin" >/dev/null || true
}

# Training runs, each writes its archive when the JVM exits.
for c in $CONFIGS; do
  config "$c" train
  [ -z "$archive" ] && continue
  [ -z "${RETRAIN:-}" ] && [ "$archive" -nt "$JAR" ] && continue
  rm -f "$archive" "$OUT/$c.classlist"
  IFS=- read -r kind training _ <<<"$c"
  if [ "$training" = documented ]; then
    # shellcheck disable=SC2086
    sidecar_training_run "$java" "$JAR" $flags
  else
    # shellcheck disable=SC2086
    start "$java" $flags
    case "$training" in
      calls) for b in tiny hello; do execute "$b" '{"operation":"execute","data":"hi"}' >/dev/null; done; sleep 2 ;;
      all) every_kind; compiled; sleep 1; every_kind ;;
    esac
    stop
  fi
  if [ "$kind" = jdk17static ]; then
    # shellcheck disable=SC2086
    "$java" $base_flags -Xshare:dump -XX:SharedClassListFile="$OUT/$c.classlist" \
      -XX:SharedArchiveFile="$archive" -cp "$JAR" >"$OUT/$c.dump.log" 2>&1 || { tail -20 "$OUT/$c.dump.log"; exit 1; }
  fi
  [ -s "$archive" ] || { echo "training $c wrote no archive" >&2; exit 1; }
done

vm_phase() { # PHASE: its ms from the last -Xlog:startuptime log
  awk -F'[][]' -v p="$1" '$0 ~ "] " p ","{sub(/s$/, "", $2); split($0, a, ", "); printf "%.0f", a[2] * 1000}' "$OUT/startuptime.log"
}
if [ "${MODE:-}" = version ]; then
  VCSV=docs/bench/archive-createvm.csv
  [ -f "$VCSV" ] || echo "date,load1,config,run,createvm_ms,genesis_ms,wall_ms,cpu_ms,max_rss_mib" > "$VCSV"
  for run in $(seq "$RUNS"); do
    for c in $CONFIGS; do
      config "$c"
      load=$(cut -d' ' -f1 /proc/loadavg)
      # shellcheck disable=SC2086
      read -r wall user sys maxrss < <(/usr/bin/time -f "%e %U %S %M" "$java" $flags -Xlog:startuptime:file="$OUT/startuptime.log" \
        -jar "$JAR" --version 2>&1 >/dev/null | tail -1)
      echo "$(date -u +%Y-%m-%dT%H:%MZ),$load,$c$LABEL,$run,$(vm_phase "Create VM"),$(vm_phase Genesis),$(awk -v w="$wall" -v u="$user" -v s="$sys" -v m="$maxrss" 'BEGIN{printf "%.0f,%.0f,%.1f", w * 1000, (u + s) * 1000, m / 1024}')" | tee -a "$VCSV"
    done
  done
  exit 0
fi

if [ "${MODE:-}" = classes ]; then
  for c in $CONFIGS; do
    config "$c"
    # shellcheck disable=SC2086
    start "$java" $flags -Xlog:class+load=info:file="$OUT/class-load.log"
    compiled; sleep 1
    before=$(wc -l <"$OUT/class-load.log")
    execute tiny '{"operation":"execute","data":"hi"}' >/dev/null; sleep 0.5
    echo "$c (load $(cut -d' ' -f1 /proc/loadavg)): the first tiny execute loaded $(tail -n +$((before + 1)) "$OUT/class-load.log" |
      awk '/source: shared/ { a++ } /source: file:/ { j++ } /source: jrt:/ { m++ } END { printf "%d from the archive, %d from the jar, %d from the JDK'"'"'s modules, %d other (generated, hidden), %d in all", a, j, m, NR - a - j - m, NR }')"
    stop
  done
  exit 0
fi

[ -f "$CSV" ] || echo "date,load1,config,run,ready_ms,cpu_ms,createvm_ms,genesis_ms,classes_ready,rss_ready_mib,first_tiny_ms,first_tiny_cpu_ms,first_sha256_ms,first_sha256_cpu_ms,first_grpc_ms,first_grpc_cpu_ms,classes_after,rss_idle_mib,archive_mb,archive_rss_mib" > "$CSV"
for run in $(seq "$RUNS"); do
  for c in $CONFIGS; do
    config "$c"
    load=$(cut -d' ' -f1 /proc/loadavg)
    # shellcheck disable=SC2086
    start "$java" $flags
    at_ready=$(rss); cpu=$(cpu_ms); cls=$(classes)
    compiled; sleep 1
    read -r tiny tiny_cpu <<<"$(timed execute tiny '{"operation":"execute","data":"hi"}')"
    read -r sha sha_cpu <<<"$(timed execute sha256 '{"operation":"execute","data":"hi"}')"
    read -r g g_cpu <<<"$(timed grpc "$OUT/grpc-request.bin")"
    sleep "${IDLE_SECONDS:-5}"
    create=$(vm_phase "Create VM"); genesis=$(vm_phase Genesis)
    # every archive mapped: on JDK 17 with a dynamic archive, the JDK's base archive too
    arch_rss=$(awk '/^[0-9a-f]+-[0-9a-f]+ / { m = ($6 ~ /\.(jsa|aot)$/) } /^Rss:/ && m { r += $2 } END { printf "%.1f", r / 1024 }' "/proc/$pid/smaps")
    size=$(awk -v b="$(stat -c %s "${archive:-/dev/null}")" 'BEGIN{printf "%.1f", b / 1e6}')
    echo "$(date -u +%Y-%m-%dT%H:%MZ),$load,$c$LABEL,$run,$ready,$cpu,$create,$genesis,$cls,$at_ready,$tiny,$tiny_cpu,$sha,$sha_cpu,$g,$g_cpu,$(classes),$(rss),$size,$arch_rss" | tee -a "$CSV"
    stop
  done
done
