#!/usr/bin/env bash
# What the first gRPC call costs a freshly started sidecar (docs/bench/startup.md, round 4): the
# documented JVM (scripts/sidecar-jvm.sh's flags; JDK 25 + AOT cache when installed, else JDK 17 +
# AppCDS), three bindings, an archive trained as run-standalone.sh does (HTTP calls only). Per run:
# start with class logs, wait until all modules run compiled + 3 s, then one InvokeBinding of
# `hello` over h2c with curl, two more (new connections), and a malformed payload. Prints the
# classes loaded and initialised from the first call on (and how many are protobuf/gRPC/Dapr), the
# CPU of the event loop, C1+C2 and the process during the first call, wall times and RSS.
# Usage: scripts/bench-grpc-first-call.sh [runs, default 3]; JAR= picks the jar (a list of jars,
#        space-separated, runs them interleaved: JAR="old.jar new.jar"); the load average is printed.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/sidecar-jvm.sh
. scripts/sidecar-jvm.sh
# shellcheck source=scripts/bench-bindings.sh
. scripts/bench-bindings.sh

RUNS="${1:-3}"
JARS="${JAR:-sidecar/target/wasmbind-sidecar.jar}"
PORT="${BENCH_PORT:-3597}"
GPORT=$((PORT + 1))
OUT=sidecar/target/bench-grpc-first-call
sidecar_java
JAVA="$REPLY"
# shellcheck disable=SC2086
sidecar_flags_for "$JAVA" $SIDECAR_JAVA_FLAGS_DEFAULT
FLAGS="$REPLY"
export MALLOC_ARENA_MAX=2

mkdir -p "$OUT/resources"
write_start_up_bindings "$OUT/resources"
# One InvokeBinding frame (name "hello", data "grpc", operation "execute") and one that is not
# protobuf (0x0c ends a group that never started).
printf '\x00\x00\x00\x00\x16\x0a\x05hello\x12\x04grpc\x22\x07execute' > "$OUT/request.bin"
printf '\x00\x00\x00\x00\x01\x0c' > "$OUT/malformed.bin"

pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null || true' EXIT
start() { # JAR ARCHIVE_FLAGS...
  local jar="$1"; shift
  # shellcheck disable=SC2086,SC2068
  "$JAVA" $FLAGS $@ -jar "$jar" --resources "$OUT/resources" --http-port "$PORT" \
    --grpc-port "$GPORT" --log-level debug > "$OUT/sidecar.log" 2>&1 &
  pid=$!
  until grep -q "sidecar listening on" "$OUT/sidecar.log" 2>/dev/null; do
    kill -0 "$pid" 2>/dev/null || { tail -5 "$OUT/sidecar.log" >&2; exit 1; }
    sleep 0.01
  done
}
stop() { kill "$pid"; wait "$pid" 2>/dev/null || true; pid=; }
grpc_call() { # FRAME -> "http_code seconds"
  curl -s --max-time 5 --http2-prior-knowledge -X POST -H 'content-type: application/grpc' \
    -H 'te: trailers' --data-binary @"$1" -o /dev/null -w '%{http_code} %{time_total}' \
    "http://127.0.0.1:$GPORT/dapr.proto.runtime.v1.Dapr/InvokeBinding" || echo " (curl exit $?)"
}
ms() { awk '{print ($14 + $15) * 1000 / '"$(getconf CLK_TCK)"'}' "$1"; }
threads_ms() { # COMM-PREFIX: CPU ms of the sidecar's threads whose name starts with it
  local sum=0 t
  for t in /proc/"$pid"/task/*; do
    if grep -q "^$1" "$t/comm"; then sum=$(awk -v a="$sum" -v b="$(ms "$t/stat")" 'BEGIN{print a + b}'); fi
  done
  echo "$sum"
}

for run in $(seq "$RUNS"); do
  for jar in $JARS; do
    base="$OUT/$(basename "$jar" .jar)"
    # shellcheck disable=SC2086
    sidecar_archive_flags "$JAVA" "$jar" "$base" $FLAGS
    archive="$REPLY"
    # shellcheck disable=SC2086
    start "$jar" $archive -Xlog:class+load=info:file="$OUT/load.log":uptime:filecount=0 \
      -Xlog:class+init=info:file="$OUT/init.log":uptime:filecount=0
    until [ "$(grep -c "now runs compiled" "$OUT/sidecar.log")" -ge 3 ]; do sleep 0.1; done
    sleep 3
    load=$(cut -d' ' -f1 /proc/loadavg)
    rss0=$(awk '/VmRSS/{print int($2/1024)}' "/proc/$pid/status")
    cpu0=$(ms "/proc/$pid/stat"); loop0=$(threads_ms vert.x-eventloo); jit0=$(threads_ms 'C[12] Compiler')
    at=$(date +%s%N)
    first=$(grpc_call "$OUT/request.bin")
    cpu=$(awk -v a="$cpu0" -v b="$(ms "/proc/$pid/stat")" 'BEGIN{print b - a}')
    loop=$(awk -v a="$loop0" -v b="$(threads_ms vert.x-eventloo)" 'BEGIN{print b - a}')
    jit=$(awk -v a="$jit0" -v b="$(threads_ms 'C[12] Compiler')" 'BEGIN{print b - a}')
    next="$(grpc_call "$OUT/request.bin"), $(grpc_call "$OUT/request.bin")"
    malformed=$(grpc_call "$OUT/malformed.bin")
    rss=$(awk '/VmRSS/{print int($2/1024)}' "/proc/$pid/status")
    # The JVM's own wall-clock start (ms), from its perf data: jstat does not attach.
    jvm0=$("$(dirname "$(readlink -f "$(command -v "$JAVA")")")/jstat" -J-Djstat.showUnsupported=true -snap "$pid" |
      awk -F= '/^sun.rt.createVmBeginTime=/{print $2}')
    stop
    classes=$(python3 - "$OUT" "$at" "$jvm0" <<'PY'
import re, sys
out, at, jvm0 = sys.argv[1], int(sys.argv[2]) / 1e9, int(sys.argv[3]) / 1000
call = at - jvm0
def count(name, what):
    n = g = 0
    for line in open(out + "/" + name):
        m = re.match(r"\[([\d.]+)s\]", line)
        if m and float(m.group(1)) >= call and what in line:
            n += 1
            g += bool(re.search(r"protobuf|io[./]dapr|io[./]grpc|io[./]vertx[./]grpc|google[./]rpc", line))
    return "%d (%d protobuf/gRPC/Dapr)" % (n, g)
print("loaded %s, initialised %s" % (count("load.log", "source:"), count("init.log", "Initializing")))
PY
)
    echo "$(basename "$jar") run $run load $load: first call $first s; CPU ${cpu} ms (event loop ${loop}, C1+C2 ${jit}); classes $classes; next calls $next s; malformed: $malformed; RSS ${rss0} -> ${rss} MiB"
  done
done
