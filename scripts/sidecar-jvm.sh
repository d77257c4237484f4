# shellcheck shell=bash
# How the sidecar's JVM runs, in one place: sourced by scripts/run-standalone.sh and the bench
# scripts (docs/sidecar.md, "JVM flags"). Not executable on its own.
#
# Flags: serial GC (one GC thread, no concurrent machinery: a small native footprint); a fixed
# 4 MiB young generation (guest instances, or their memories, are reused: a tiny call allocates a
# few KiB, one young collection per ~800 calls, 0.6 per 2 MiB request; 8 MiB halved those counts
# and cost ~3.5 MiB of idle RSS, eden's pages stay touched); 12 MiB of old generation to start
# with (JDK 25's AOT cache copies its archived heap objects there and refuses to start without
# room for them); the default heap free ratios (shrinking to 10/20 % free made 2 MiB requests
# collect the whole heap about twice per request); small thread stacks; a capped code cache; two
# compiler threads that compile a method after twice the default count of calls (on two cores the
# JIT took ~290 ms of CPU by the first healthz, about a core: ready -40 ms, -90 ms CPU to ready,
# -400 ms CPU over start and the first 1,000 calls, docs/benchmarks.md "Round 7"); the native heap trimmed every 5 s (glibc keeps what the JIT compilers freed
# while starting: 15-20 MiB of idle RSS otherwise); a string table sized for the ~5-9k strings the
# sidecar interns (it grows by itself; the default 65,536 buckets take 0.5 MiB); Netty allowed to
# make its direct buffers without the JDK's cleaner (the property; the jar's manifest opens
# java.nio for `java -jar`, which an --add-opens flag would do ~40 ms slower): otherwise it takes
# them from ByteBuffer.allocateDirect, which zeroes its first 4 MiB pool chunk whole, all of it
# resident for the few KiB a request uses.
# MALLOC_ARENA_MAX=2 (set by the callers): two glibc arenas instead of one per thread.
SIDECAR_JAVA_FLAGS_DEFAULT="-XX:+UseSerialGC -Xms16m -Xmn4m -Xmx256m -Xss512k -XX:ReservedCodeCacheSize=32m -XX:CICompilerCount=2 -XX:CompileThresholdScaling=2 -XX:TrimNativeHeapInterval=5000 -XX:StringTableSize=4096 -Dio.netty.tryReflectionSetAccessible=true"

# The functions below return their result in REPLY rather than on standard output: every
# $(command substitution) forks the shell (~6 ms on a 2-core VM, ~5 ms more per program it runs),
# and run-standalone.sh spent 130-180 ms in them before it started java.

# sidecar_java: REPLY = the java to run. $WASMBIND_JAVA wins; else a JDK 25 or newer under
# /usr/lib/jvm (its AOT cache starts the sidecar faster); else the `java` on the PATH (17+).
sidecar_java() {
  local dir
  REPLY="${WASMBIND_JAVA:-}"
  [ -n "$REPLY" ] && return 0
  for dir in /usr/lib/jvm/temurin-2[5-9]* /usr/lib/jvm/*-2[5-9]-*; do
    if [ -x "$dir/bin/java" ]; then
      REPLY="$dir/bin/java"
      return 0
    fi
  done
  REPLY=java
}

# java_version JAVA: REPLY = that java's full version (17.0.15, 25, ...), from its JDK's `release`
# file (starting a JVM to ask would add a few hundred ms to every start), else from the JVM.
java_version() {
  local java="$1" home key value
  home="${java%/bin/java}"
  if [ "$home" = "$java" ] || [ ! -f "$home/release" ]; then
    # A bare name or a link (/usr/bin/java -> /etc/alternatives/java -> the JDK's).
    home="$(readlink -f "$(command -v "$java")")"
    home="${home%/bin/java}"
  fi
  REPLY=""
  if [ -f "$home/release" ]; then
    while IFS='=' read -r key value; do
      if [ "$key" = JAVA_VERSION ]; then
        value="${value#\"}"
        REPLY="${value%%\"*}"
        return 0
      fi
    done <"$home/release"
  fi
  REPLY="$("$java" -XshowSettings:properties -version 2>&1 | awk -F' = ' '/ java.version =/ { print $2; exit }')"
}

# java_feature JAVA: REPLY = the feature release of that java (17, 25, ...).
java_feature() {
  java_version "$1"
  REPLY="${REPLY%%[!0-9]*}"
}

# sidecar_flags_for JAVA FLAGS...: REPLY = FLAGS without those that JAVA does not know and would
# refuse to start with: -XX:TrimNativeHeapInterval exists from JDK 17.0.9, 21.0.1 and 22.
sidecar_flags_for() {
  local java="$1" feature update flag out=()
  shift
  java_version "$java"
  IFS=. read -r feature _ update _ <<<"$REPLY"
  for flag in "$@"; do
    if [[ "$flag" == -XX:TrimNativeHeapInterval=* ]] &&
      { { [ "$feature" = 17 ] && [ "${update:-0}" -lt 9 ]; } ||
        { [ "${feature:-0}" -gt 17 ] && [ "$feature" -lt 21 ]; } ||
        { [ "$feature" = 21 ] && [ "${update:-0}" -lt 1 ]; }; }; then
      continue
    fi
    out+=("$flag")
  done
  REPLY="${out[*]}"
}

# sidecar_archive_flags JAVA JAR ARCHIVE_BASE [FLAGS...]: REPLY = the flags that map the sidecar's
# start-up archive for JAVA and JAR (and, on JDK 25+, the option that keeps Netty's use of
# sun.misc.Unsafe from printing warnings). When the archive is missing or older than the jar, it
# is made first, once, by a training run with FLAGS (sidecar_training_run: ~10-25 s); FLAGS must be
# the flags of the runs that map it, since an archive serves only the JVM and flags that wrote it
# and a foreign one is ignored silently (the logging is off: on JDK 25 all aot* and cds* tags, or
# writing the cache prints a warning per class it cannot link). $SIDECAR_ARCHIVE_TAG (e.g. the
# flags' hash) in ARCHIVE_BASE keeps one per set of flags.
# JDK 25+: an AOT cache (JEP 483/514/515: classes loaded and linked, method profiles) at
# ARCHIVE_BASE.aot. JDK 17-24: one static AppCDS archive at ARCHIVE_BASE.jsa, the JDK's classes
# the sidecar uses and its own, in place of the JDK's default archive (a dynamic archive on top
# of the JDK's: 1.3-1.7 MiB more resident, docs/bench/archive.md).
sidecar_archive_flags() {
  local java="$1" jar="$2" base="$3"
  shift 3
  REPLY=""
  java_feature "$java"
  if [ "$REPLY" -ge 25 ] 2>/dev/null; then
    # Netty allocates with sun.misc.Unsafe, which JDK 24+ warns about at first use (JEP 498).
    local cache="$base.aot" opts="-Xlog:aot*=off -Xlog:cds*=off --sun-misc-unsafe-memory-access=allow"
    if [ ! -f "$cache" ] || [ "$jar" -nt "$cache" ]; then
      rm -f "$cache"
      # shellcheck disable=SC2086
      sidecar_training_run "$java" "$jar" "$@" $opts -XX:AOTCacheOutput="$cache"
    fi
    REPLY=""
    [ -f "$cache" ] && REPLY="-XX:AOTCache=$cache $opts"
  else
    local jsa="$base.jsa"
    if [ ! -f "$jsa" ] || [ "$jar" -nt "$jsa" ]; then
      rm -f "$jsa" "$base.classlist"
      sidecar_training_run "$java" "$jar" "$@" -XX:DumpLoadedClassList="$base.classlist"
      # Proxy and JFR event classes cannot be archived: the dump warns about them, and its log
      # says why when it fails.
      "$java" "$@" -Xshare:dump -XX:SharedClassListFile="$base.classlist" -XX:SharedArchiveFile="$jsa" \
        -cp "$jar" >"$base.dump.log" 2>&1 || { echo "[start-up archive] dump failed, see $base.dump.log" >&2; rm -f "$jsa"; }
    fi
    # Naming a missing archive would also switch off the JDK's own.
    REPLY=""
    [ -f "$jsa" ] && REPLY="-XX:SharedArchiveFile=$jsa -Xlog:cds=off"
  fi
  return 0
}

# sidecar_training_run JAVA JAR FLAGS...: the training run of a start-up archive. The sidecar, with
# FLAGS (they name the archive to write), serves examples/bindings on free ports (HTTP and gRPC, as
# the documented start and the image's training do); once every module runs compiled (at most
# 60 s) it gets the requests of scripts/sidecar-training-calls.txt (the image's training makes the
# same), then SIGTERM: the JVM writes the archive as it exits. A fixed training makes the
# archive's content the same whatever the first real run does. Says what it did on standard error.
sidecar_training_run() {
  local java="$1" jar="$2" root log pid port="" modules method path body
  shift 2
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  log="$(mktemp)"
  echo "[start-up archive] none for this JVM, jar and flags yet: training it once (~10-25 s)" >&2
  "$java" "$@" -jar "$jar" --resources "$root/examples/bindings" --http-port 0 --grpc-port 0 >"$log" 2>&1 &
  pid=$!
  modules=$(find "$root/examples/bindings" -maxdepth 1 -name '*.yaml' | wc -l)
  for _ in $(seq 600); do
    port=$(sed -n 's|.* listening on http://[^ ]*:\([0-9][0-9]*\) .*|\1|p' "$log")
    [ -n "$port" ] && [ "$(grep -c 'now runs compiled' "$log")" -ge "$modules" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if [ -n "$port" ]; then
    while read -r method path body; do
      case "$method" in '' | '#'*) continue ;; esac
      curl -s -o /dev/null -X "$method" ${body:+--data-binary "$body"} "http://127.0.0.1:$port$path" || true
    done <"$root/scripts/sidecar-training-calls.txt"
  fi
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  # run-standalone.sh then execs the sidecar in its own process, so the sidecar's "ms after process
  # start" of this first start counts the training too.
  echo "[start-up archive] trained: $(grep -c 'now runs compiled' "$log")/$modules modules compiled${port:+, requests sent} (this start's time counts the training)" >&2
  [ -n "$port" ] || tail -5 "$log" >&2
  rm -f "$log"
}
