#!/usr/bin/env bash
# Installs what the build and tests need beyond Maven dependencies. Idempotent: installs only
# what is missing. Usage: scripts/setup.sh [--wasm-toolchain] [--bench]
#   (no flag)         Java 17 + Maven + Debian's docker-registry (the OCI registry the tests start)
#                     + mmdebstrap; as root also the Debian Java 25 base image the image test
#                     builds on (scripts/make-base-image.sh: once, then cached in ~/.cache/wasmbind)
#                     + chromium and chromedriver (the image demo's browser test)
#   --wasm-toolchain  also clang/lld/wasi-libc (+ stb headers) and wabt, to rebuild the example and test .wasm files
#   --bench           also wrk, hyperfine and gnuplot, for scripts/bench-*.sh and docs/bench/plot.sh
set -euo pipefail

packages=()
need() { # need COMMAND PACKAGE...
    command -v "$1" >/dev/null 2>&1 || packages+=("${@:2}")
}
need java openjdk-17-jdk-headless
need mvn maven
need docker-registry docker-registry
need mmdebstrap mmdebstrap
need chromium chromium
need chromedriver chromium-driver
for arg in "$@"; do
    case "$arg" in
        --wasm-toolchain)
            need clang clang
            need wasm-ld lld
            need gcc gcc # the native sha256 baseline for the benchmark
            need wat2wasm wabt # the hand-written .wat test guests
            # stb_image / stb_image_write, for examples/image-demo/grey.c
            [ -f /usr/include/stb/stb_image.h ] || packages+=(libstb-dev)
            # Debian's wasi-libc installs its sysroot under /usr/{include,lib}/wasm32-wasi
            [ -f /usr/lib/wasm32-wasi/libc.a ] || packages+=(wasi-libc)
            ls /usr/lib/llvm-*/lib/clang/*/lib/wasi/libclang_rt.builtins-wasm32.a >/dev/null 2>&1 \
                || packages+=(libclang-rt-dev-wasm32)
            ;;
        --bench)
            need wrk wrk
            need hyperfine hyperfine
            need gnuplot gnuplot-nox # docs/bench/plot.sh draws the figures of docs/benchmarks.md
            ;;
        *) echo "unknown option $arg" >&2; exit 2 ;;
    esac
done

if ((${#packages[@]})); then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "setup: installing ${packages[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${packages[@]}" >/dev/null
fi

# The image test (images/) runs image root filesystems with chroot, which needs root: only then
# is its base image worth making. Quiet when cached; a failure stops here rather than letting the
# image test skip on CI.
if [ "$(id -u)" -eq 0 ]; then
    "$(dirname "$0")/make-base-image.sh" >/dev/null
fi
