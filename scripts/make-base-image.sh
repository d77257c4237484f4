#!/usr/bin/env bash
# Makes a Java base image of the offline image build from Debian packages: a root filesystem from
# mmdebstrap (minbase + Debian's headless JRE) written as a docker-archive tarball that Jib reads as
# `tar://…`. No registry is needed, only the apt mirrors configured on this machine.
#
#   --jdk 25 (default)  Debian trixie + openjdk-25-jre-headless: jre25-trixie.tar, the base the
#                       images build on (images/pom.xml; why 25: docs/images.md "The runtime")
#   --jdk 17            Debian bookworm + openjdk-17-jre-headless: jre17-bookworm.tar, only for the
#                       runtime comparison (scripts/bench-image-runtime.sh)
#
# Cached: the tarball lives in ~/.cache/wasmbind/base-images/ under a name keyed by the suite,
# the package list and this script's options; a second run prints the cached path at once.
# jre25-trixie.tar (jre17-bookworm.tar) in the same folder always points at the newest one (the
# build reads it).
#
# Usage: scripts/make-base-image.sh [--jdk 17|25]   prints the tarball's path on stdout
# Needs root (mmdebstrap's root mode; `scripts/setup.sh` installs mmdebstrap).
set -euo pipefail

jdk=25
while [ $# -gt 0 ]; do
    case "$1" in
        --jdk) jdk="${2:?--jdk needs 17 or 25}"; shift 2 ;;
        *) echo "make-base-image: unknown argument $1 (usage: [--jdk 17|25])" >&2; exit 2 ;;
    esac
done
case "$jdk" in
    25) SUITE=trixie ;;
    17) SUITE=bookworm ;;
    *) echo "make-base-image: --jdk must be 17 or 25, not $jdk" >&2; exit 2 ;;
esac
PACKAGES=openjdk-$jdk-jre-headless
# Docs, manuals and translations are not needed in an image: about 60 MB less.
DPKG_EXCLUDES=('/usr/share/doc/*' '/usr/share/man/*' '/usr/share/info/*' '/usr/share/locale/*' '/usr/share/lintian/*')
CACHE_DIR="${WASMBIND_CACHE_DIR:-$HOME/.cache/wasmbind}/base-images"
NAME=jre$jdk-$SUITE
TAG="localhost/wasmbind-base:$NAME"

key=$(printf '%s\n' "$SUITE" "$PACKAGES" "${DPKG_EXCLUDES[@]}" "format-1" | sha256sum | cut -c1-12)
out="$CACHE_DIR/$NAME-$key.tar"
link="$CACHE_DIR/$NAME.tar"
if [ -s "$out" ]; then
    ln -sfn "$(basename "$out")" "$link"
    echo "$out"
    exit 0
fi
[ "$(id -u)" -eq 0 ] || { echo "make-base-image: needs root (mmdebstrap in root mode)" >&2; exit 1; }
command -v mmdebstrap >/dev/null || { echo "make-base-image: mmdebstrap missing, run scripts/setup.sh" >&2; exit 1; }

mkdir -p "$CACHE_DIR"
work=$(mktemp -d "$CACHE_DIR/.build-XXXXXX")
trap 'rm -rf "$work"' EXIT

# The machine's own apt sources (deb822 files and one-line lists), so a local mirror keeps working;
# when the machine runs another Debian release, its suite names are switched to the image's
# (bookworm, bookworm-updates, bookworm-security -> trixie, ...), the mirrors stay.
host_suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
sources=()
n=0
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list; do
    [ -s "$f" ] || continue
    if [ -n "$host_suite" ] && [ "$host_suite" != "$SUITE" ]; then
        n=$((n + 1))
        copy="$work/sources-$n.${f##*.}"
        sed "s/\\b$host_suite\\b/$SUITE/g" "$f" >"$copy"
        sources+=("$copy")
    else
        sources+=("$f")
    fi
done
dpkgopts=()
for pattern in "${DPKG_EXCLUDES[@]}"; do dpkgopts+=("--dpkgopt=path-exclude=$pattern"); done

echo "make-base-image: mmdebstrap $SUITE + $PACKAGES (once; cached in $CACHE_DIR)" >&2
# A fixed SOURCE_DATE_EPOCH makes mmdebstrap clamp file times, so the layer does not change
# with the day it was built.
# openjdk's postinst registers its manual pages as alternatives and fails when their folder is
# missing, so the excluded man folder is created (empty) before the JRE is installed.
if ! SOURCE_DATE_EPOCH=0 mmdebstrap --variant=minbase --include="$PACKAGES" "${dpkgopts[@]}" \
    --essential-hook='mkdir -p "$1/usr/share/man/man1"' \
    "$SUITE" "$work/layer.tar" "${sources[@]}" >"$work/mmdebstrap.log" 2>&1; then
    tail -40 "$work/mmdebstrap.log" >&2
    echo "make-base-image: mmdebstrap failed (its log's end above)" >&2
    exit 1
fi

arch=$(dpkg --print-architecture)
diff_id=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
cat >"$work/config.json" <<JSON
{"architecture":"$arch","os":"linux","created":"1970-01-01T00:00:00Z",
 "config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","LANG=C.UTF-8"]},
 "rootfs":{"type":"layers","diff_ids":["sha256:$diff_id"]},
 "history":[{"created":"1970-01-01T00:00:00Z","created_by":"mmdebstrap --variant=minbase --include=$PACKAGES $SUITE"}]}
JSON
cat >"$work/manifest.json" <<JSON
[{"Config":"config.json","RepoTags":["$TAG"],"Layers":["layer.tar"]}]
JSON
tar --create --file "$work/image.tar" --directory "$work" --mtime=@0 --owner=0 --group=0 \
    manifest.json config.json layer.tar
mv "$work/image.tar" "$out"
ln -sfn "$(basename "$out")" "$link"
echo "$out"
