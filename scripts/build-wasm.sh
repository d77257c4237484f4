#!/usr/bin/env bash
# Rebuilds every example and test WASI program from its C source (idempotent: clang's output is
# deterministic, so an unchanged source gives the same bytes), refreshes the sha256 pins in
# examples/bindings/*.yaml, and builds the native sha256 baseline for the benchmark.
#   examples/programs/<name>.c  -> examples/bindings/modules/<name>.wasm
#   examples/image-demo/grey.c  -> examples/image-demo/bindings/modules/grey.wasm
#   sidecar/src/test/wasm/<name>.c -> sidecar/src/test/resources/wasm/<name>.wasm
#   sidecar/src/test/wasm/<name>.wat -> sidecar/src/test/resources/wasm/<name>.wasm (wabt's wat2wasm)
#   sidecar/src/test/wasm/sha256.c -> sidecar/target/native/sha256 (native, not committed)
# The committed modules come from Debian bookworm's clang 14 and wasi-libc 0.0~git20220510; another
# toolchain gives other (equally valid) bytes, and this script then updates the pins to match.
# Usage: scripts/build-wasm.sh
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/setup.sh" --wasm-toolchain

# WASI preview 1 command modules (export _start and memory); debug info stripped, the name
# section kept so that traps show function names.
CFLAGS=(--target=wasm32-wasi -O2 -Wall -Wextra -Wl,--strip-debug)

build() { # build SOURCE OUTPUT [EXTRA_FLAGS...]
    local source="$1" output="$2"
    shift 2
    clang "${CFLAGS[@]}" "$@" -o "$output.tmp" "$source"
    mv "$output.tmp" "$output"
    echo "built ${output#"$root"/} ($(wc -c <"$output") bytes)"
}

mkdir -p "$root/examples/bindings/modules" "$root/sidecar/src/test/resources/wasm"
for source in "$root"/examples/programs/*.c; do
    name="$(basename "$source" .c)"
    build "$source" "$root/examples/bindings/modules/$name.wasm"
done

mkdir -p "$root/examples/image-demo/bindings/modules"
build "$root/examples/image-demo/grey.c" "$root/examples/image-demo/bindings/modules/grey.wasm"

for source in "$root"/sidecar/src/test/wasm/*.c; do
    name="$(basename "$source" .c)"
    extra=()
    case "$name" in
        # a reactor exports _initialize instead of _start: the validator's negative case
        reactor) extra=(-mexec-model=reactor) ;;
    esac
    build "$source" "$root/sidecar/src/test/resources/wasm/$name.wasm" "${extra[@]}"
done

# Hand-written text-format guests (they imitate other toolchains' WASI calls).
command -v wat2wasm >/dev/null 2>&1 || { echo "build-wasm: wat2wasm missing (scripts/setup.sh --wasm-toolchain installs wabt)" >&2; exit 1; }
for source in "$root"/sidecar/src/test/wasm/*.wat; do
    name="$(basename "$source" .wat)"
    output="$root/sidecar/src/test/resources/wasm/$name.wasm"
    wat2wasm -o "$output.tmp" "$source"
    mv "$output.tmp" "$output"
    echo "built ${output#"$root"/} ($(wc -c <"$output") bytes)"
done

# Keep each example binding's sha256 pin equal to its module's digest.
for yaml in "$root"/examples/bindings/*.yaml; do
    name="$(basename "$yaml" .yaml)"
    module="$root/examples/bindings/modules/$name.wasm"
    [ -f "$module" ] || continue
    digest="$(sha256sum "$module" | cut -d' ' -f1)"
    sed -i -E "s/^(  sha256: ).*/\1\"$digest\"/" "$yaml"
done
digest="$(sha256sum "$root/examples/image-demo/bindings/modules/grey.wasm" | cut -d' ' -f1)"
sed -i -E "s/^(  sha256: ).*/\1\"$digest\"/" \
    "$root/examples/image-demo/bindings/grey.yaml" "$root/examples/image-demo/k8s/grey.yaml"

mkdir -p "$root/sidecar/target/native"
gcc -O2 -Wall -Wextra -o "$root/sidecar/target/native/sha256" "$root/sidecar/src/test/wasm/sha256.c"
echo "built sidecar/target/native/sha256 (native)"
