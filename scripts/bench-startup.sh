#!/usr/bin/env bash
# Start-up and footprint of the sidecar with three bindings, per way of running it (CONFIGS):
#   jdk17-plain       java -jar, no flags
#   jdk17-old         the flags documented before issue 12 (shrinking heap) + a dynamic CDS archive
#   jdk17-documented  scripts/sidecar-jvm.sh's flags + a static AppCDS archive (run-standalone.sh
#                     on a machine without JDK 25)
#   jdk25-documented  Temurin 25, the same flags + an AOT cache (JEP 483/514/515; what
#                     run-standalone.sh picks when a JDK 25 is installed)
#   jdk25-coh         as jdk25-documented + compact object headers (JEP 519), its own cache
# Each archive/cache comes from the documented training run (scripts/sidecar-jvm.sh,
# sidecar_training_run: examples/bindings, the requests of scripts/sidecar-training-calls.txt
# once every module runs compiled), made afresh by every invocation.
# Runs alternate between configs (run 1 of each, then run 2 of each...), so a change in the
# machine's load hits them all alike. Per run:
#   ready    process start to the first healthz 204 (await_healthz: bash's /dev/tcp every 2 ms)
#   cpu      CPU time (user+system, all threads) the process used until ready
#   rss      VmRSS at ready, and idle = 5 s after two calls
#   timeline ms from process start: JVM created (-Xlog:startuptime "Create VM"), main running
#            (logging set up), bindings loaded, API listening, ready, all modules compiled
# Then, per config, one run with native memory tracking: NMT's committed memory per part and the
# resident set per mapping, idle.
# Appends to docs/bench/startup.csv and docs/bench/footprint.csv (docs/bench/plot.sh draws them).
# Usage: scripts/bench-startup.sh [runs per config, default 3]
#        CONFIGS="jdk17-old jdk25-documented" scripts/bench-startup.sh 5
# JAR and JAVA_FLAGS (instead of scripts/sidecar-jvm.sh's flags in the *-documented configs)
# override; BENCH_LABEL is appended to the config's name in the CSVs (e.g. before/after rows).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/sidecar-jvm.sh
. scripts/sidecar-jvm.sh
# shellcheck source=scripts/bench-bindings.sh
. scripts/bench-bindings.sh

RUNS="${1:-3}"
PORT="${BENCH_PORT:-3598}"
JAR="${JAR:-sidecar/target/wasmbind-sidecar.jar}"
OUT=sidecar/target/bench-startup
CSV=docs/bench/startup.csv
FOOT=docs/bench/footprint.csv
JDK25="${JDK25:-$(ls -d /usr/lib/jvm/temurin-2[5-9]* 2>/dev/null | head -1)}"
CONFIGS="${CONFIGS:-jdk17-plain jdk17-old jdk17-documented${JDK25:+ jdk25-documented jdk25-coh}}"
FLAGS="${JAVA_FLAGS:-$SIDECAR_JAVA_FLAGS_DEFAULT}"
LABEL="${BENCH_LABEL:+-$BENCH_LABEL}"
OLD_FLAGS="-XX:+UseSerialGC -Xms8m -Xmx256m -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=20 -Xss512k -XX:ReservedCodeCacheSize=32m -XX:CICompilerCount=2"
JDK17="${JDK17:-java}"
export MALLOC_ARENA_MAX=2

[ -f "$JAR" ] || mvn -B -q -pl sidecar -am package -DskipTests
mkdir -p "$OUT"
RES="$OUT/resources"
rm -rf "$RES"; mkdir -p "$RES"
write_start_up_bindings "$RES"

# java and flags (the archive's included) of a config; with "train", first makes its archive.
config() { # CONFIG [train]; sets java and flags
  local c="$1" train="${2:-}"
  case "$c" in
    jdk17-plain) java="$JDK17"; flags="" ;;
    jdk17-old) # the archive of that time: a dynamic AppCDS archive on top of the JDK's own
      java="$JDK17"; flags="$OLD_FLAGS -Xlog:cds=off -Xlog:cds+dynamic=off"
      # shellcheck disable=SC2086
      [ -n "$train" ] && sidecar_training_run "$java" "$JAR" $flags -XX:ArchiveClassesAtExit="$OUT/$c.jsa"
      flags+=" -XX:SharedArchiveFile=$OUT/$c.jsa" ;;
    jdk17-documented) # as run-standalone.sh: a static AppCDS archive
      java="$JDK17"
      # shellcheck disable=SC2086
      sidecar_archive_flags "$java" "$JAR" "$OUT/$c" $FLAGS
      flags="$FLAGS $REPLY" ;;
    jdk25-documented|jdk25-coh) # as run-standalone.sh: an AOT cache
      java="$JDK25/bin/java"; flags="$FLAGS"
      [ "$c" = jdk25-coh ] && flags+=" -XX:+UseCompactObjectHeaders"
      # shellcheck disable=SC2086
      sidecar_archive_flags "$java" "$JAR" "$OUT/$c" $flags
      flags+=" $REPLY" ;;
    *) echo "unknown config $c" >&2; exit 2 ;;
  esac
}

start() { # JAVA FLAGS...; sets pid, t0 (ns) and ready (ms)
  local java="$1"; shift
  t0=$(date +%s%N)
  # shellcheck disable=SC2068
  "$java" $@ -Xlog:startuptime:file="$OUT/startuptime.log" -jar "$JAR" --resources "$RES" \
    --http-port "$PORT" --grpc-port 0 --log-level debug >"$OUT/sidecar.log" 2>&1 &
  pid=$!
  await_healthz "$PORT" "$pid" || { echo "the sidecar exited:" >&2; tail -5 "$OUT/sidecar.log" >&2; exit 1; }
  ready=$(( ($(date +%s%N) - t0) / 1000000 ))
}
stop() { kill "$pid"; wait "$pid" 2>/dev/null || true; }
rss() { awk '/VmRSS/{print int($2/1024)}' "/proc/$pid/status"; }
cpu_ms() { awk '{print ($14 + $15) * 1000 / '"$(getconf CLK_TCK)"'}' "/proc/$pid/stat"; }
jdk_tool() { local d; d="$(dirname "$(readlink -f "$(command -v "$java")")")"; if [ -x "$d/$1" ]; then echo "$d/$1"; else echo "$1"; fi; }
classes() { "$(jdk_tool jcmd)" "$pid" PerfCounter.print 2>/dev/null | awk -F= '/java.cls.(shared)?[lL]oadedClasses=/{s+=$2} END{print s+0}'; }
calls() { for b in tiny hello; do curl -sf -o /dev/null -d '{"operation":"execute","data":"hi"}' "http://127.0.0.1:$PORT/v1.0/bindings/$b"; done; }
# ms since t0 of: JVM created (the JVM's own wall-clock sun.rt.createVmEndTime, read from its
# perf data with jstat, which does not attach to it), then the sidecar's debug markers
# ("starting", "bindings loaded", "listening") and the last "now runs compiled", by their log
# timestamps. Older jars print "; JVM up N ms" after the markers: ignored.
timeline() {
  local created
  created=$("$(jdk_tool jstat)" -J-Djstat.showUnsupported=true -snap "$pid" 2>/dev/null |
    awk -F= -v t0="$t0" '/^sun.rt.createVmEndTime=/{printf "%.0f", $2 - t0 / 1000000}')
  python3 - "$OUT/sidecar.log" "$t0" "$created" <<'PY'
import re, sys, datetime
log, t0, created = sys.argv[1], int(sys.argv[2]) / 1e6, sys.argv[3]
def ms(ts):
    return "%.0f" % (datetime.datetime.strptime(ts, "%Y-%m-%dT%H:%M:%S.%f%z").timestamp() * 1000 - t0)
marks, compiled = {}, ""
for line in open(log):
    m = re.match(r"(\S+) .*- (starting|bindings loaded|listening)(;|$)", line)
    if m:
        marks[m.group(2)] = ms(m.group(1))
    m = re.match(r"(\S+) .*binding \S+ now runs compiled", line)
    if m:
        compiled = ms(m.group(1))
print(",".join([created] + [marks.get(k, "") for k in ("starting", "bindings loaded", "listening")] + [compiled]))
PY
}

# Training runs: each config's archive made afresh for this jar (JAR= may differ between runs).
for c in $CONFIGS; do
  rm -f "$OUT/$c.jsa" "$OUT/$c.aot" "$OUT/$c.classlist"
  config "$c" train
done

[ -f "$CSV" ] || echo "date,load1,config,run,ready_ms,rss_ready_mib,rss_idle_mib,cpu_ms,classes,jvm_ms,main_ms,loaded_ms,listening_ms,compiled_ms" > "$CSV"
for run in $(seq "$RUNS"); do
  for c in $CONFIGS; do
    config "$c"
    load=$(cut -d' ' -f1 /proc/loadavg)
    # shellcheck disable=SC2086
    start "$java" $flags
    at_ready=$(rss); cpu=$(cpu_ms)
    calls
    sleep 5
    tl=$(timeline)
    IFS=, read -r jvm main loaded listening compiled <<<"$tl"
    echo "$(date -u +%Y-%m-%dT%H:%MZ),$load,$c$LABEL,$run,$ready,$at_ready,$(rss),$cpu,$(classes),$jvm,$main,$loaded,$listening,$compiled" | tee -a "$CSV"
    stop
  done
done

# Footprint: NMT (committed, MiB) and resident set per kind of mapping (MiB), idle after two calls.
[ -f "$FOOT" ] || echo "date,load1,config,part,mib" > "$FOOT"
for c in $CONFIGS; do
  config "$c"
  load=$(cut -d' ' -f1 /proc/loadavg)
  # shellcheck disable=SC2086
  start "$java" $flags -XX:NativeMemoryTracking=summary
  calls; sleep 5
  date=$(date -u +%Y-%m-%dT%H:%MZ)
  {
    "$(jdk_tool jcmd)" "$pid" VM.native_memory summary scale=KB |
      awk -v p="$date,$load,$c$LABEL,nmt " '/^-/ { sub(/^- */, ""); name = $0; sub(/ *\(.*/, "", name)
             if (match($0, /committed=[0-9]+KB/)) { v = substr($0, RSTART + 10, RLENGTH - 12) + 0; if (v >= 512) printf "%s%s,%.1f\n", p, name, v / 1024 } }'
    awk -v p="$date,$load,$c$LABEL,rss " '/^[0-9a-f]+-[0-9a-f]+ / { f = $6; k = "anonymous (heap; metaspace; code; stacks; malloc)"
             if (f ~ /\.(jsa|aot)$/) k = "start-up archives (CDS/AOT)"; else if (f ~ /libjvm/) k = "libjvm.so"
             else if (f == "[heap]") k = "malloc (brk heap)"; else if (f ~ /^\//) k = "other files (libc; modules; jar)" }
           /^Rss:/ { r[k] += $2; t += $2 } END { for (k in r) printf "%s%s,%.1f\n", p, k, r[k] / 1024; printf "%stotal,%.1f\n", p, t / 1024 }' "/proc/$pid/smaps"
  } | tee -a "$FOOT"
  stop
done
