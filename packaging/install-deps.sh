#!/usr/bin/env bash
# Installs what AlgoAdmin needs to build, test and run on Debian 12, and nothing that is
# already there. Works as root or through sudo.
#   install-deps.sh               build, tests, the app
#   install-deps.sh --packaging   the .deb (packaging/deb.sh): debhelper, lintian
#   install-deps.sh --fresh-root  making minimal roots (packaging/fresh-root.sh): mmdebstrap
#   install-deps.sh --qtcore-tsan QtCore built with ThreadSanitizer (tests/sanitizers/qtcore-tsan.sh)
set -euo pipefail

# Everything on a minimal Debian 12 (mmdebstrap --variant=apt: apt and nothing else), checked
# by .ci/run. Qt6Charts' CMake config needs Qt6OpenGL, which qt6-charts-dev does not pull in.
packages=(
    cmake ninja-build g++ pkg-config
    qt6-base-dev libqt6sql6-psql qt6-charts-dev libqt6opengl6-dev qt6-tools-dev libgl-dev
    libqt6svg6          # the SVG icon plugins: without them the window's icons are empty
    qt6-svg-dev         # QSvgGenerator: the Metrics panel's SVG export
    fonts-dejavu-core   # text in the window (Xvfb, offscreen) on a machine without a desktop
    libpq-dev postgresql
    pgbouncer           # tst_poolers starts its own, in session and in transaction pooling
    openssl             # tst_tls makes its test CA and the server's certificate
    clang-14 libfuzzer-14-dev libclang-rt-14-dev # tests/fuzz: libFuzzer and the sanitizers
    qtkeychain-qt6-dev
    xvfb xauth
    desktop-file-utils appstream groff-base # tests/packaging: the desktop entry, metainfo, man page
)
case "${1:-}" in
"") ;;
--packaging) packages=(build-essential debhelper dpkg-dev lintian) ;;
--fresh-root) packages=(mmdebstrap) ;;
--qtcore-tsan)
    # The build dependencies of Debian's qt6-base that QtCore links (ICU, glib, PCRE2,
    # double-conversion, zlib, zstd, libb2), the tools, perl for syncqt, and the QtCore whose
    # version it rebuilds. Debian's QtCore has neither journald nor LTTng, so no libsystemd-dev.
    packages=(
        cmake ninja-build g++ pkg-config perl dpkg-dev curl xz-utils libqt6core6
        libglib2.0-dev libicu-dev libpcre2-dev libdouble-conversion-dev zlib1g-dev libzstd-dev
        libb2-dev
    )
    ;;
*) echo "install-deps: unknown option $1 (--packaging, --fresh-root, --qtcore-tsan)" >&2; exit 2 ;;
esac

missing=()
for package in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
    [[ "$status" == "install ok installed" ]] || missing+=("$package")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ $(id -u) -eq 0 ]]; then
    sudo=()
elif command -v sudo >/dev/null; then
    sudo=(sudo)
else
    echo "install-deps: missing packages: ${missing[*]}; run this script as root or install sudo" >&2
    exit 1
fi

echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get -o Acquire::Retries=5 update -qq
"${sudo[@]}" apt-get -o Acquire::Retries=5 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
