#!/usr/bin/env bash
# Builds the three container images (operator, injector, sidecar) with Jib from the shaded jars.
#
#   scripts/build-images.sh push REGISTRY [--base IMAGE] [--insecure]
#       builds on the public Java 25 JRE base (default eclipse-temurin:25-jre) and pushes
#       REGISTRY/wasmbind-{operator,injector,sidecar}:<project version>; then
#       helm install wasmbind helm/wasmbind --set image.repository=REGISTRY
#       Registry credentials: Jib reads your Docker config (docker login) and credential helpers.
#       --insecure: the registry speaks plain HTTP (e.g. localhost:5000).
#   scripts/build-images.sh tar
#       offline: makes the Debian base (scripts/make-base-image.sh, cached; needs root), builds
#       image tarballs on it into images/target/images/, with the sidecar's AOT cache
#       made by running the image's own JVM, and runs the image test. These tarballs are what
#       the e2e test imports (docs/e2e.md).
#   scripts/build-images.sh e2e
#       the whole flow on a machine with Docker: builds the tarballs (on the Debian base as root,
#       otherwise on the public base, pulled), then runs the k3s tests in e2e/ with them.
#
# Labels: org.opencontainers.image.{version,revision,source}; the creation time is the commit's,
# so one commit always gives the same image. See docs/images.md.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { sed -n '2,16p' "$0" >&2; exit 2; }
[ $# -ge 1 ] || usage
mode=$1; shift

props=()
if git rev-parse --git-dir >/dev/null 2>&1; then
    props+=("-Dimages.revision=$(git rev-parse HEAD)")
    props+=("-Dimages.created=$(git log -1 --format=%cI)")
    # Only a public address is worth a label; a local path would leak the build machine's.
    origin=$(git remote get-url origin 2>/dev/null || true)
    case "$origin" in
        https://*) props+=("-Dimages.source=$origin") ;;
        git@*:*) address=${origin#git@}; props+=("-Dimages.source=https://${address/://}") ;;
    esac
fi

case "$mode" in
    push)
        [ $# -ge 1 ] || usage
        registry=$1; shift
        while [ $# -gt 0 ]; do
            case "$1" in
                --base) props+=("-Dimages.base=$2"); shift 2 ;;
                --insecure) props+=("-Dimages.insecure=true" "-Djib.allowInsecureRegistries=true"); shift ;;
                *) usage ;;
            esac
        done
        mvn -B -pl images -am package -DskipTests -P 'images-push,!image-tarballs' \
            "-Dimages.repository=$registry" "${props[@]}"
        version=$(mvn -B -q -pl images help:evaluate -Dexpression=project.version -DforceStdout)
        echo
        echo "Pushed $registry/wasmbind-{operator,injector,sidecar}:$version. Install with:"
        echo "  helm install wasmbind helm/wasmbind -n wasmbind-system --create-namespace --set image.repository=$registry"
        ;;
    tar)
        [ $# -eq 0 ] || usage
        base=$(scripts/make-base-image.sh)
        echo "build-images: base $base" >&2
        mvn -B -pl images -am verify -P image-tarballs "${props[@]}" \
            -Dtest=ChartMatchesImagesTest -Dsurefire.failIfNoSpecifiedTests=false \
            -Dit.test=ImageTarballsIT -Dfailsafe.failIfNoSpecifiedTests=false
        ls -l images/target/images/*.tar
        ;;
    e2e)
        [ $# -eq 0 ] || usage
        if [ "$(id -u)" -eq 0 ] && command -v mmdebstrap >/dev/null; then
            scripts/make-base-image.sh >/dev/null
        else
            # Not root: no Debian base and no AOT cache; the public base is pulled.
            props+=("-Dimages.base=eclipse-temurin:25-jre")
        fi
        version=$(mvn -B -q -pl images help:evaluate -Dexpression=project.version -DforceStdout)
        out="$PWD/images/target/images"
        mvn -B -pl images,e2e -am verify -P image-tarballs "${props[@]}" \
            -Dtest='ChartMatchesImagesTest,E2e*Test,ProjectFilesTest,ExampleBindingsTest' \
            -Dsurefire.failIfNoSpecifiedTests=false \
            -Dit.test='ImageTarballsIT,WasmBindingClusterIT' -Dfailsafe.failIfNoSpecifiedTests=false \
            "-Dwasmbind.images.archives=$out/wasmbind-operator.tar,$out/wasmbind-injector.tar,$out/wasmbind-sidecar.tar" \
            "-Dwasmbind.images.operator=wasmbind/wasmbind-operator:$version" \
            "-Dwasmbind.images.injector=wasmbind/wasmbind-injector:$version" \
            "-Dwasmbind.images.sidecar=wasmbind/wasmbind-sidecar:$version" \
            -Dwasmbind.e2e.set=image.pullPolicy=Never
        ;;
    *) usage ;;
esac
