# shellcheck shell=bash
# The three bindings the start-up benchmarks serve (bench-startup.sh, bench-archive.sh,
# bench-grpc-first-call.sh), in one place so their figures stay comparable. Sourced; run from the
# repository's root.

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
