#!/usr/bin/env bash
# Which JDK the sidecar image should run: Debian bookworm's OpenJDK 17 with a static class-data
# archive (what the image ran until issue 12's round 10) against Debian trixie's OpenJDK 25 with an
# AOT cache (JEP 483/514/515; what it runs since), the same jar and flags in both, each in its
# base's root filesystem entered the way the image tests enter it (`unshare --mount`, then
# `unshare --root --setuid`). Prints, per run and interleaved: start to the first 204 of
# /v1.0/healthz with the four example bindings (and the sidecar's CPU at that moment), then idle
# RSS (anonymous and file-backed) 20 s after two calls;
# then SHARED (default 3) sidecars of one JDK at once from the same root filesystem, as pods of one
# image on a node share its files through the page cache: each one's RSS and PSS (the shared
# pages split between them, what a pod costs the node) 20 s after two calls; then the cost of
# entering a root filesystem alone (`/bin/true` the same way), to subtract.
# BINDINGS=start-up measures (not trains) with the three bindings of scripts/bench-startup.sh (the
# issue's "three bindings": uppercase.wasm as tiny, sha256, hello) instead of the four examples.
# Findings: docs/benchmarks.md "Round 9" and "Round 10".
#
# Usage (root; builds the two Debian bases once, cached): RUNS=6 scripts/bench-image-runtime.sh
# Environment: JAR (default sidecar/target/wasmbind-sidecar.jar, build it first), WORK (root
# filesystems and archives, default /tmp/wasmbind-image-runtime), PORT (HTTP, default 3890; gRPC on
# the next one), EXTRA_25 (more flags for the JDK 25 runs and its training, e.g.
# -XX:+UseCompactObjectHeaders).
# Timing runs: wrap in `flock` when other benches share the machine.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bench-bindings.sh
source scripts/sidecar-jvm.sh
[ "$(id -u)" -eq 0 ] || { echo "bench-image-runtime: needs root (unshare, mount, chroot)" >&2; exit 1; }

JAR="$(readlink -f "${JAR:-sidecar/target/wasmbind-sidecar.jar}")"
WORK="${WORK:-/tmp/wasmbind-image-runtime}"
PORT="${PORT:-3890}"
RUNS="${RUNS:-6}"
SHARED="${SHARED:-3}"
BINDINGS="${BINDINGS:-examples}"
case "$BINDINGS" in
  examples) RESOURCES=/srv/examples/bindings; CALLED="hello uppercase" ;;
  start-up) RESOURCES=/srv/start-up; CALLED="hello tiny" ;;
  *) echo "bench-image-runtime: BINDINGS is examples or start-up" >&2; exit 2 ;;
esac
[ -f "$JAR" ] || { echo "bench-image-runtime: no $JAR (mvn -B -pl sidecar -am package -DskipTests)" >&2; exit 1; }
# The mounts a JVM needs in a root filesystem, then the image's user in it (as RootfsProcess does).
ENTER='set -e
root=$1; shift
mount -t proc proc "$root/proc"
mount -t sysfs -o ro sysfs "$root/sys"
mount -t tmpfs -o mode=0755 tmpfs "$root/dev"
for node in null zero full random urandom tty; do : >"$root/dev/$node"; mount --bind "/dev/$node" "$root/dev/$node"; done
mount -t tmpfs -o mode=1777 tmpfs "$root/tmp"
exec /usr/bin/unshare --root="$root" --wd=/app --setgid=65532 --setuid=65532 -- "$@"'
# The gRPC API on the next port: its default 50001 may be another sidecar's on the machine.
SIDECAR_ARGS="-jar /app/wasmbind-sidecar.jar --resources RESOURCES --listen-address 127.0.0.1 --http-port $PORT --grpc-port $((PORT + 1))"
QUIET_25="-Xlog:aot*=off -Xlog:cds*=off --sun-misc-unsafe-memory-access=allow ${EXTRA_25:-}"

# unpack NAME BASE.tar: the base's layer, the jar and the examples in $WORK/NAME (the archives go
# to /archive in it, owned by the image's user).
unpack() {
  local root="$WORK/$1"
  rm -rf "$root" && mkdir -p "$root/.image"
  tar -xf "$2" -C "$root/.image" && tar -xf "$root/.image/layer.tar" -C "$root" && rm -rf "$root/.image"
  mkdir -p "$root/app" "$root/srv" "$root/archive"
  cp "$JAR" "$root/app/" && cp -r examples "$root/srv/" && chown 65532:65532 "$root/archive"
  # The start-up set, its file:// URLs moved to where the modules are in the root filesystem.
  write_start_up_bindings "$root/srv/start-up"
  mkdir -p "$root/srv/start-up/modules"
  sed -n 's#^  url: "file://\(.*\)"$#\1#p' "$root"/srv/start-up/*.yaml | xargs cp -t "$root/srv/start-up/modules"
  sed -i 's#^  url: "file://.*/\([^/]*\)"$#  url: "file:///srv/start-up/modules/\1"#' "$root"/srv/start-up/*.yaml
}

# start NAME LOG COMMAND...: COMMAND in root filesystem NAME with the image's environment, in the
# background (its pid, the JVM's once it has exec'd, in STARTED).
start() {
  local root="$WORK/$1" log="$2"
  shift 2
  env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 MALLOC_ARENA_MAX=2 \
    JAVA_TOOL_OPTIONS="$SIDECAR_JAVA_FLAGS_DEFAULT" \
    /usr/bin/unshare --mount --propagation private /bin/sh -c "$ENTER" enter "$root" "$@" >"$log" 2>&1 &
  STARTED=$!
}

# train NAME FLAGS...: the image's training (SidecarArchiveTraining): serve the examples, wait
# until every module runs compiled, send scripts/sidecar-training-calls.txt, stop with SIGTERM.
train() {
  local name="$1" log="$WORK/train-$1.log" modules method path body
  shift
  modules=$(find examples/bindings -maxdepth 1 -name '*.yaml' | wc -l)
  # shellcheck disable=SC2086
  start "$name" "$log" java "$@" ${SIDECAR_ARGS/RESOURCES//srv/examples/bindings}
  await_healthz "$PORT" "$STARTED" || { tail -20 "$log" >&2; return 1; }
  for _ in $(seq 600); do
    [ "$(grep -c 'now runs compiled' "$log")" -ge "$modules" ] && break
    sleep 0.1
  done
  while read -r method path body; do
    case "$method" in '' | '#'*) continue ;; esac
    curl -s -o /dev/null -X "$method" ${body:+--data-binary "$body"} "http://127.0.0.1:$PORT$path" || true
  done <scripts/sidecar-training-calls.txt
  kill "$STARTED" && wait "$STARTED" || true
}

load() { cut -d' ' -f1 /proc/loadavg; }

# ready LABEL NAME FLAGS...: one start to the first 204, then stop.
ready() {
  local label="$1" name="$2" t0 t1 cpu
  shift 2
  t0=$EPOCHREALTIME
  # shellcheck disable=SC2086
  start "$name" "$WORK/run-$label.log" java "$@" ${SIDECAR_ARGS/RESOURCES/$RESOURCES}
  await_healthz "$PORT" "$STARTED" || { tail -20 "$WORK/run-$label.log" >&2; return 1; }
  t1=$EPOCHREALTIME
  cpu=$(awk '{ print ($14 + $15) * 10 }' "/proc/$STARTED/stat")
  echo "ready $label $(((${t1/./} - ${t0/./}) / 1000)) ms cpu $cpu ms load $(load)"
  sleep 1
  kill "$STARTED" && wait "$STARTED" || true
}

# idle LABEL NAME FLAGS...: RSS 20 s after two calls.
idle() {
  local label="$1" name="$2"
  shift 2
  # shellcheck disable=SC2086
  start "$name" "$WORK/idle-$label.log" java "$@" ${SIDECAR_ARGS/RESOURCES/$RESOURCES}
  await_healthz "$PORT" "$STARTED" || { tail -20 "$WORK/idle-$label.log" >&2; return 1; }
  for binding in $CALLED; do
    curl -s -o /dev/null -X POST -d '{"operation":"execute","data":"x"}' "http://127.0.0.1:$PORT/v1.0/bindings/$binding"
  done
  sleep 20
  awk -v label="$label" -v load="$(load)" '
    /^VmRSS/ { rss = $2 } /^RssAnon/ { anon = $2 } /^RssFile/ { file = $2 }
    END { printf "idle %s RSS %.1f MiB anon %.1f file %.1f load %s\n", label, rss / 1024, anon / 1024, file / 1024, load }
  ' "/proc/$STARTED/status"
  kill "$STARTED" && wait "$STARTED" || true
}

# shared NAME FLAGS...: $SHARED sidecars at once from NAME's root filesystem, RSS and PSS of each.
shared() {
  local name="$1" i port pids=()
  shift
  for i in $(seq "$SHARED"); do
    port=$((PORT + 2 * i))
    # shellcheck disable=SC2086
    start "$name" "$WORK/shared-$name-$i.log" java "$@" -jar /app/wasmbind-sidecar.jar \
      --resources "$RESOURCES" --listen-address 127.0.0.1 --http-port "$port" --grpc-port $((port + 1))
    pids+=("$STARTED")
    await_healthz "$port" "$STARTED" || { tail -20 "$WORK/shared-$name-$i.log" >&2; return 1; }
    for binding in $CALLED; do
      curl -s -o /dev/null -X POST -d '{"operation":"execute","data":"x"}' "http://127.0.0.1:$port/v1.0/bindings/$binding"
    done
  done
  sleep 20
  for i in $(seq "$SHARED"); do
    awk -v label="$name-$i/$SHARED" -v load="$(load)" '
      /^Rss:/ { rss = $2 } /^Pss:/ { pss = $2 } /^Pss_Anon:/ { anon = $2 } /^Pss_File:/ { file = $2 }
      END { printf "shared %s RSS %.1f MiB PSS %.1f anon %.1f file %.1f load %s\n", label, rss / 1024, pss / 1024, anon / 1024, file / 1024, load }
    ' "/proc/${pids[$((i - 1))]}/smaps_rollup"
  done
  kill "${pids[@]}" && wait "${pids[@]}" || true
}

mkdir -p "$WORK"
unpack jdk17 "$(scripts/make-base-image.sh --jdk 17)"
unpack jdk25 "$(scripts/make-base-image.sh --jdk 25)"
echo "# $(date -u +%FT%TZ) jar $(sha256sum "$JAR" | cut -c1-12), $(nproc) cores, measured with $RESOURCES"
echo "# jdk17: $(grep JAVA_RUNTIME_VERSION "$WORK"/jdk17/usr/lib/jvm/java-17-openjdk-*/release)"
echo "# jdk25: $(grep JAVA_RUNTIME_VERSION "$WORK"/jdk25/usr/lib/jvm/java-25-openjdk-*/release)"

# JDK 17: class list, then one static archive from it (as the image build does).
train jdk17 -XX:DumpLoadedClassList=/archive/classes.txt
start jdk17 "$WORK/dump-jdk17.log" java -Xshare:dump -XX:SharedClassListFile=/archive/classes.txt \
  -XX:SharedArchiveFile=/archive/sidecar.jsa -cp /app/wasmbind-sidecar.jar
wait "$STARTED" || { tail -20 "$WORK/dump-jdk17.log" >&2; exit 1; }
# JDK 25: one training run writes the AOT cache as the JVM exits.
# shellcheck disable=SC2086
train jdk25 -XX:AOTCacheOutput=/archive/sidecar.aot $QUIET_25
echo "# archives: $(stat -c '%n %s' "$WORK"/jdk17/archive/sidecar.jsa "$WORK"/jdk25/archive/sidecar.aot | tr '\n' ' ')"

FLAGS_17="-XX:SharedArchiveFile=/archive/sidecar.jsa -Xlog:cds=off"
FLAGS_25="-XX:AOTCache=/archive/sidecar.aot $QUIET_25"
for i in $(seq "$RUNS"); do
  # shellcheck disable=SC2086
  ready "jdk17-$i" jdk17 $FLAGS_17
  # shellcheck disable=SC2086
  ready "jdk25-$i" jdk25 $FLAGS_25
done
for i in $(seq $(((RUNS + 2) / 3))); do
  # shellcheck disable=SC2086
  idle "jdk17-$i" jdk17 $FLAGS_17
  # shellcheck disable=SC2086
  idle "jdk25-$i" jdk25 $FLAGS_25
done
# shellcheck disable=SC2086
shared jdk17 $FLAGS_17
# shellcheck disable=SC2086
shared jdk25 $FLAGS_25
for i in 1 2 3; do
  t0=$EPOCHREALTIME
  start jdk25 /dev/null /bin/true
  wait "$STARTED"
  t1=$EPOCHREALTIME
  echo "enter /bin/true $(((${t1/./} - ${t0/./}) / 1000)) ms load $(load)"
done
