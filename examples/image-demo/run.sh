#!/usr/bin/env bash
# The image demo on this machine, in one command: builds what is missing (grey.wasm, the sidecar
# and the app), starts the standalone sidecar on bindings/ (gRPC API on DAPR_GRPC_PORT) and the
# web app on PORT, prints the URL and runs until Ctrl-C.
# Usage: examples/image-demo/run.sh   (env: PORT=8080 DAPR_HTTP_PORT=3500 DAPR_GRPC_PORT=50001)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"

export PORT="${PORT:-8080}" DAPR_HTTP_PORT="${DAPR_HTTP_PORT:-3500}" DAPR_GRPC_PORT="${DAPR_GRPC_PORT:-50001}"
SIDECAR_JAR=sidecar/target/wasmbind-sidecar.jar
APP_JAR=examples/image-demo/app/target/wasmbind-image-demo.jar

[ -f "$here/bindings/modules/grey.wasm" ] || scripts/build-wasm.sh
if [ ! -f "$SIDECAR_JAR" ] || [ ! -f "$APP_JAR" ] \
    || [ -n "$(find sidecar/src/main module-loader/src/main crds/src/main examples/image-demo/app/src/main \
        sidecar/pom.xml examples/image-demo/app/pom.xml -newer "$APP_JAR" -print -quit)" ]; then
    echo "run.sh: building the sidecar and the app"
    mvn -B -q -pl sidecar,examples/image-demo/app -am package -DskipTests
fi

pids=()
stop() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait; }
trap stop EXIT
trap 'exit 130' INT TERM

# -Xmx: a few-megapixel photo needs up to 256 MiB of guest memory (bindings/grey.yaml).
java -Xmx768m -jar "$SIDECAR_JAR" --resources "$here/bindings" \
    --http-port "$DAPR_HTTP_PORT" --grpc-port "$DAPR_GRPC_PORT" &
pids+=($!)
for _ in $(seq 1 120); do
    (exec 3<>"/dev/tcp/127.0.0.1/$DAPR_GRPC_PORT") 2>/dev/null && break
    kill -0 "${pids[0]}" 2>/dev/null || { echo "run.sh: the sidecar stopped" >&2; exit 1; }
    sleep 0.5
done
(exec 3<>"/dev/tcp/127.0.0.1/$DAPR_GRPC_PORT") 2>/dev/null \
    || { echo "run.sh: the sidecar does not serve gRPC on 127.0.0.1:$DAPR_GRPC_PORT" >&2; exit 1; }

java -jar "$APP_JAR" &
pids+=($!)
for _ in $(seq 1 60); do
    (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break
    sleep 0.5
done
echo
echo "Image demo: open http://localhost:$PORT/ (Ctrl-C stops it)"
wait -n
