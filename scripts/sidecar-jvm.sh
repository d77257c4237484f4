# shellcheck shell=bash
# How the sidecar's JVM runs, in one place: sourced by scripts/run-standalone.sh and the bench
# scripts (docs/sidecar.md, "JVM flags"). Not executable on its own.
#
# Flags: serial GC (one GC thread, no concurrent machinery: a small native footprint); a fixed
# 8 MiB young generation (guest instances, or their memories, are reused: a tiny call allocates a
# few KiB, one young collection per ~800 calls; 16 MiB halved that and cost ~7 MiB of idle RSS,
# the eden pages touched); 8 MiB of old generation to start with (JDK 25's AOT cache needs room
# for its archived heap objects: with -Xms8m -Xmn16m it refuses to start); the default heap free
# ratios (shrinking to 10/20 % free made 2 MiB requests collect the whole heap about twice per
# request); small thread stacks; a capped code cache; two compiler threads; the native heap
# trimmed every 5 s (glibc keeps what the JIT compilers freed while starting: 15-20 MiB of idle
# RSS otherwise).
# MALLOC_ARENA_MAX=2 (set by the callers): two glibc arenas instead of one per thread.
SIDECAR_JAVA_FLAGS_DEFAULT="-XX:+UseSerialGC -Xms16m -Xmn8m -Xmx256m -Xss512k -XX:ReservedCodeCacheSize=32m -XX:CICompilerCount=2 -XX:TrimNativeHeapInterval=5000"

# sidecar_java: prints the java to run. $WASMBIND_JAVA wins; else a JDK 25 or newer under
# /usr/lib/jvm (its AOT cache starts the sidecar faster); else the `java` on the PATH (17+).
sidecar_java() {
  if [ -n "${WASMBIND_JAVA:-}" ]; then
    echo "$WASMBIND_JAVA"
    return
  fi
  local dir
  for dir in /usr/lib/jvm/temurin-2[5-9]* /usr/lib/jvm/*-2[5-9]-*; do
    if [ -x "$dir/bin/java" ]; then
      echo "$dir/bin/java"
      return
    fi
  done
  echo java
}

# java_version JAVA: that java's full version (17.0.15, 25, ...), from its JDK's `release` file
# (starting a JVM to ask would add a few hundred ms to every start), else from the JVM.
java_version() {
  local home
  home="$(dirname "$(dirname "$(readlink -f "$(command -v "$1")")")")"
  if [ -f "$home/release" ]; then
    sed -n 's/^JAVA_VERSION="\([^"]*\)".*/\1/p' "$home/release"
  else
    "$1" -XshowSettings:properties -version 2>&1 | awk -F' = ' '/ java.version =/ { print $2; exit }'
  fi
}

# java_feature JAVA: the feature release of that java (17, 25, ...).
java_feature() {
  java_version "$1" | sed 's/^\([0-9]*\).*/\1/'
}

# sidecar_flags_for JAVA FLAGS...: prints FLAGS without those that JAVA does not know and would
# refuse to start with: -XX:TrimNativeHeapInterval exists from JDK 17.0.9, 21.0.1 and 22.
sidecar_flags_for() {
  local java="$1" feature update flag out=()
  shift
  IFS=. read -r feature _ update _ <<<"$(java_version "$java")"
  for flag in "$@"; do
    if [[ "$flag" == -XX:TrimNativeHeapInterval=* ]] &&
      { { [ "$feature" = 17 ] && [ "${update:-0}" -lt 9 ]; } ||
        { [ "${feature:-0}" -gt 17 ] && [ "$feature" -lt 21 ]; } ||
        { [ "$feature" = 21 ] && [ "${update:-0}" -lt 1 ]; }; }; then
      continue
    fi
    out+=("$flag")
  done
  echo "${out[*]}"
}

# sidecar_archive_flags JAVA JAR ARCHIVE_BASE: prints the start-up archive flags for JAVA and JAR
# (and, on JDK 25+, the option that keeps Netty's use of sun.misc.Unsafe from printing warnings).
# JDK 25+: an AOT cache (JEP 483/514/515: classes loaded and linked, method profiles) at
# ARCHIVE_BASE.aot; JDK 17-24: a dynamic AppCDS archive at ARCHIVE_BASE.jsa. When the file is
# missing or older than the jar, the flags make this run write it when it exits (a training run);
# otherwise they map it. An archive is valid only for the JVM and flags that wrote it: a stale one
# is ignored silently (the logging is off: on JDK 25 all aot* and cds* tags, or writing the cache
# prints a warning per class it cannot link), and $SIDECAR_ARCHIVE_TAG (e.g. the flags' hash) can
# keep one per set of flags.
sidecar_archive_flags() {
  local java="$1" jar="$2" base="$3"
  if [ "$(java_feature "$java")" -ge 25 ] 2>/dev/null; then
    # Netty allocates with sun.misc.Unsafe, which JDK 24+ warns about at first use (JEP 498).
    local cache="$base.aot" UNSAFE_OK="--sun-misc-unsafe-memory-access=allow"
    if [ -f "$cache" ] && [ "$cache" -nt "$jar" ]; then
      echo "-XX:AOTCache=$cache -Xlog:aot*=off -Xlog:cds*=off $UNSAFE_OK"
    else
      rm -f "$cache"
      echo "-XX:AOTCacheOutput=$cache -Xlog:aot*=off -Xlog:cds*=off $UNSAFE_OK"
    fi
  else
    local jsa="$base.jsa"
    if [ -f "$jsa" ] && [ "$jsa" -nt "$jar" ]; then
      echo "-XX:SharedArchiveFile=$jsa -Xlog:cds=off -Xlog:cds+dynamic=off"
    else
      rm -f "$jsa"
      echo "-XX:ArchiveClassesAtExit=$jsa -Xlog:cds=off -Xlog:cds+dynamic=off"
    fi
  fi
}
