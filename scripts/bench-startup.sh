#!/usr/bin/env bash
# Start-up and footprint of the sidecar with three bindings, per way of running it:
#   jdk17-documented  the documented flags (scripts/run-standalone.sh) + its CDS archive
#   jdk17-plain       java -jar, no flags
#   jdk25-aot         Temurin 25, the documented flags + an AOT cache (JEP 483/514/515) from a
#                     training run that starts, calls each binding and exits
#   jdk25-aot-coh     as jdk25-aot + compact object headers (JEP 519, product in 25)
# ready = process start to the first healthz 204; rss = VmRSS at ready and 5 s later (idle).
# Appends one CSV row per run to docs/bench/startup.csv (docs/bench/plot.sh draws it).
# Usage: scripts/bench-startup.sh [runs per config, default 3]
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS="${1:-3}"
PORT="${BENCH_PORT:-3598}"
JAR="${JAR:-sidecar/target/wasmbind-sidecar.jar}"
OUT=sidecar/target/bench-startup
CSV=docs/bench/startup.csv
JDK25="${JDK25:-$(ls -d /usr/lib/jvm/temurin-25* 2>/dev/null | head -1)}"
# The one documented set (scripts/run-standalone.sh, images/pom.xml images.sidecar.javaOptions).
FLAGS="$(sed -n 's/^JAVA_FLAGS="\${JAVA_FLAGS:-\(.*\)}"$/\1/p' scripts/run-standalone.sh)"
export MALLOC_ARENA_MAX=2

[ -f "$JAR" ] || mvn -B -q -pl sidecar -am package -DskipTests
mkdir -p "$OUT"
RES="$OUT/resources"
rm -rf "$RES"; mkdir -p "$RES"
for pair in "tiny:examples/bindings/modules/uppercase.wasm" \
            "sha256:sidecar/src/test/resources/wasm/sha256.wasm" \
            "hello:examples/bindings/modules/hello.wasm"; do
  cat > "$RES/${pair%%:*}.yaml" <<YAML
apiVersion: wasmbind.dev/v1alpha1
kind: WasmBinding
metadata:
  name: ${pair%%:*}
spec:
  url: "file://$(pwd)/${pair#*:}"
YAML
done

start() { # JAVA FLAGS...; sets pid and ready
  local java="$1"; shift
  local t0; t0=$(date +%s%N)
  # shellcheck disable=SC2068
  "$java" $@ -jar "$JAR" --resources "$RES" --http-port "$PORT" --grpc-port 0 --log-level warn >"$OUT/sidecar.log" 2>&1 &
  pid=$!
  until curl -sf -o /dev/null "http://127.0.0.1:$PORT/v1.0/healthz"; do sleep 0.005; done
  ready=$(( ($(date +%s%N) - t0) / 1000000 ))
}
stop() { kill "$pid"; wait "$pid" 2>/dev/null || true; }
rss() { awk '/VmRSS/{print int($2/1024)}' "/proc/$pid/status"; }
calls() { for b in tiny hello; do curl -sf -o /dev/null -d '{"operation":"execute","data":"hi"}' "http://127.0.0.1:$PORT/v1.0/bindings/$b"; done; }

# Training runs: the CDS archive (JDK 17) and the AOT cache (JDK 25), each written at exit.
rm -f "$OUT/sidecar.jsa" "$OUT"/sidecar*.aot
start java $FLAGS "-XX:ArchiveClassesAtExit=$OUT/sidecar.jsa" -Xlog:cds=off -Xlog:cds+dynamic=off; calls; stop
if [ -n "$JDK25" ]; then
  start "$JDK25/bin/java" $FLAGS "-XX:AOTCacheOutput=$OUT/sidecar.aot" -Xlog:aot=off -Xlog:cds=off; calls; stop
  # A cache serves only the object layout it was written with.
  start "$JDK25/bin/java" $FLAGS -XX:+UseCompactObjectHeaders "-XX:AOTCacheOutput=$OUT/sidecar-coh.aot" -Xlog:aot=off -Xlog:cds=off; calls; stop
fi

[ -f "$CSV" ] || echo "date,load1,config,run,ready_ms,rss_ready_mib,rss_idle_mib" > "$CSV"
measure() { # CONFIG JAVA FLAGS...
  local config="$1"; shift
  for run in $(seq "$RUNS"); do
    local load; load=$(cut -d' ' -f1 /proc/loadavg)
    start "$@"
    local at_ready; at_ready=$(rss)
    sleep 5
    echo "$(date -u +%Y-%m-%dT%H:%MZ),$load,$config,$run,$ready,$at_ready,$(rss)" | tee -a "$CSV"
    stop
  done
}
measure jdk17-documented java $FLAGS "-XX:SharedArchiveFile=$OUT/sidecar.jsa" -Xlog:cds=off -Xlog:cds+dynamic=off
measure jdk17-plain java
if [ -n "$JDK25" ]; then
  measure jdk25-aot "$JDK25/bin/java" $FLAGS "-XX:AOTCache=$OUT/sidecar.aot" -Xlog:aot=off -Xlog:cds=off
  measure jdk25-aot-coh "$JDK25/bin/java" $FLAGS -XX:+UseCompactObjectHeaders "-XX:AOTCache=$OUT/sidecar-coh.aot" -Xlog:aot=off -Xlog:cds=off
fi
