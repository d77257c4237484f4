# shellcheck shell=bash
# The three bindings the start-up benchmarks serve (bench-startup.sh, bench-archive.sh,
# bench-grpc-first-call.sh), and how they wait for the first healthz, in one place so their
# figures stay comparable. Sourced; run from the repository's root.

# write_start_up_bindings DIR: writes tiny.yaml (uppercase.wasm), sha256.yaml and hello.yaml
# (WasmBindings with file:// URLs) into DIR.
write_start_up_bindings() {
  local dir="$1" pair
  mkdir -p "$dir"
  for pair in "tiny:examples/bindings/modules/uppercase.wasm" \
              "sha256:sidecar/src/test/resources/wasm/sha256.wasm" \
              "hello:examples/bindings/modules/hello.wasm"; do
    cat > "$dir/${pair%%:*}.yaml" <<YAML
apiVersion: wasmbind.dev/v1alpha1
kind: WasmBinding
metadata:
  name: ${pair%%:*}
spec:
  url: "file://$(pwd)/${pair#*:}"
YAML
  done
}

# await_healthz PORT PID: returns once http://127.0.0.1:PORT/v1.0/healthz answers 204; fails when
# PID exits first. It polls every ~2 ms from this shell alone (bash's /dev/tcp; a read timeout on
# an empty pipe as the pause) and starts no process per try: ~5 % of a core. A curl per try costs
# ~18 ms of CPU, so a curl-and-sleep loop took one of the two cores from the starting sidecar
# (docs/benchmarks.md, "Round 7").
await_healthz() {
  local port="$1" pid="$2" pause conn status
  exec {pause}<> <(:)
  while :; do
    status=""
    if { exec {conn}<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null; then
      printf 'GET /v1.0/healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' >&"$conn"
      read -r -t 5 _ status _ <&"$conn" || true
      exec {conn}>&-
    fi
    [ "$status" = 204 ] && break
    kill -0 "$pid" 2>/dev/null || { exec {pause}>&-; return 1; }
    read -r -t 0.002 -u "$pause" _ || true
  done
  exec {pause}>&-
}
