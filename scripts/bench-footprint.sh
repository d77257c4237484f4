#!/usr/bin/env bash
# The sidecar's footprint, jar against jar (docs/bench/footprint.md): per jar its size and entries,
# then per round and jar (alternating the order each round) one standalone start on the examples'
# bindings with the documented JVM flags (scripts/sidecar-jvm.sh, no start-up archive) and class
# logs: one HTTP call to each example binding, GET /v1.0/metadata and /metrics, gRPC InvokeBinding,
# GetMetadata and a malformed frame over h2c (curl: HTTP status and response bytes); then 20 s idle. Prints per run the classes
# loaded (and how many are fabric8, Jackson databind, Dapr, protobuf, grpc-java, Guava), any
# NoClassDefFoundError/ClassNotFoundException in the log, the heap's live set after a full
# collection (GC.class_histogram's total), the old generation's committed size and the idle RSS,
# with the load average.
# Usage: scripts/bench-footprint.sh OLD.jar NEW.jar [rounds, default 3]; WASMBIND_JAVA picks the
# java (default: the `java` on the PATH); BENCH_PORT the HTTP port (gRPC: the next one);
# NEW_JAVA_FLAGS runs the new jar with other flags (give the same jar twice to compare flags).
# KEEP=1 keeps the class logs and histograms in sidecar/target/bench-footprint.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/sidecar-jvm.sh
. scripts/sidecar-jvm.sh

OLD="$1"
NEW="$2"
ROUNDS="${3:-3}"
PORT="${BENCH_PORT:-3640}"
GPORT=$((PORT + 1))
JAVA="${WASMBIND_JAVA:-java}"
JCMD="$(dirname "$(readlink -f "$(command -v "$JAVA")")")/jcmd"
# shellcheck disable=SC2086
sidecar_flags_for "$JAVA" $SIDECAR_JAVA_FLAGS_DEFAULT
FLAGS="$REPLY"
NEW_FLAGS="${NEW_JAVA_FLAGS:-$FLAGS}"
export MALLOC_ARENA_MAX=2
OUT=sidecar/target/bench-footprint
mkdir -p "$OUT"

# InvokeBinding of "hello" (data "grpc", operation "execute"), an empty GetMetadataRequest, and a
# frame that is not protobuf (0x0c ends a group that never started).
printf '\x00\x00\x00\x00\x16\x0a\x05hello\x12\x04grpc\x22\x07execute' > "$OUT/invoke.bin"
printf '\x00\x00\x00\x00\x00' > "$OUT/metadata.bin"
printf '\x00\x00\x00\x00\x01\x0c' > "$OUT/malformed.bin"

pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null || true' EXIT

grpc() { # METHOD FRAME -> "HTTP status:response bytes", or "reset" (a cancelled call)
  curl -s --max-time 5 --http2-prior-knowledge -X POST -H 'content-type: application/grpc' \
    -H 'te: trailers' --data-binary "@$2" -o /dev/null -w '%{http_code}:%{size_download}\n' \
    "http://127.0.0.1:$GPORT/dapr.proto.runtime.v1.Dapr/$1" | grep -v '^000:' || echo reset
}

count() { grep -c -E "$1" "$2" || true; }

echo "| jar | size (bytes) | entries |"
echo "|---|---:|---:|"
for jar in "$OLD" "$NEW"; do
  echo "| $jar | $(stat -c %s "$jar") | $(unzip -Z1 "$jar" | wc -l) |"
done
echo
echo "java: $("$JAVA" -version 2>&1 | head -1); flags: $FLAGS"
[ "$NEW_FLAGS" = "$FLAGS" ] || echo "new jar's flags: $NEW_FLAGS"
echo
echo "| round | jar | classes | fabric8 | databind | Dapr | protobuf | grpc-java | Guava | missing | HTTP | gRPC invoke/metadata/malformed | live heap (KiB) | old gen committed (KiB) | RSS idle (MiB) | load |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---:|---:|---:|---:|"
for round in $(seq "$ROUNDS"); do
  if [ $((round % 2)) = 1 ]; then order="old new"; else order="new old"; fi
  for which in $order; do
    if [ "$which" = old ]; then jar="$OLD" flags="$FLAGS"; else jar="$NEW" flags="$NEW_FLAGS"; fi
    tag="$which-$round"
    # shellcheck disable=SC2086
    "$JAVA" $flags -Xlog:class+load=info:file="$OUT/$tag.classes" -jar "$jar" \
      --resources examples/bindings --http-port "$PORT" --grpc-port "$GPORT" \
      > "$OUT/$tag.log" 2>&1 &
    pid=$!
    until grep -q "sidecar listening" "$OUT/$tag.log" 2>/dev/null; do
      kill -0 "$pid" 2>/dev/null || { tail -5 "$OUT/$tag.log" >&2; exit 1; }
      sleep 0.1
    done
    codes=""
    for b in hello echo-args json-greet uppercase; do
      codes="$codes$(curl -s -o /dev/null -w '%{http_code}' -d '{"operation":"execute","data":{"name":"Ada"},"metadata":{"args":"a,b"}}' \
        "http://127.0.0.1:$PORT/v1.0/bindings/$b" || true) "
    done
    codes="$codes$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/v1.0/metadata" || true) "
    codes="$codes$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/metrics" || true)"
    g="$(grpc InvokeBinding "$OUT/invoke.bin")/$(grpc GetMetadata "$OUT/metadata.bin")/$(grpc InvokeBinding "$OUT/malformed.bin")"
    sleep 20
    rss=$(awk '/VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$pid/status")
    "$JCMD" "$pid" GC.class_histogram > "$OUT/$tag.histogram"
    live=$(awk '/^Total/ {printf "%d", $3 / 1024}' "$OUT/$tag.histogram")
    # the old generation's committed size (serial GC: "tenured generation total NK")
    old=$("$JCMD" "$pid" GC.heap_info | awk '/tenured generation/ {sub(/K,?/, "", $4); print $4}')
    kill "$pid"
    wait "$pid" 2>/dev/null || true
    pid=
    c="$OUT/$tag.classes"
    missing=$(count 'NoClassDefFoundError|ClassNotFoundException' "$OUT/$tag.log")
    echo "| $round | $which: $(basename "$jar") | $(count 'source:' "$c") | $(count ' io\.fabric8\.' "$c") |" \
      "$(count ' com\.fasterxml\.jackson\.databind\.' "$c") | $(count ' io\.dapr\.' "$c") |" \
      "$(count ' com\.google\.protobuf\.' "$c") | $(count ' io\.grpc\.' "$c") |" \
      "$(count ' com\.google\.common\.' "$c") | $missing | $codes | $g | $live | $old | $rss |" \
      "$(cut -d' ' -f1 /proc/loadavg) |"
  done
done
[ -n "${KEEP:-}" ] || rm -f "$OUT"/*.classes "$OUT"/*.histogram
