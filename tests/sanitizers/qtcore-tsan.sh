#!/usr/bin/env bash
# Builds libQt6Core with ThreadSanitizer, as a drop-in replacement for Debian's, so that
# `tests/sanitizers/run.sh thread` reports races in our code and not in Qt's. Debian's QtCore is
# not instrumented: its QMutex waits on futexes ThreadSanitizer cannot see, so every handover
# through Qt's event queue (a queued signal, QMetaObject::invokeMethod with a lambda) looks like
# a data race. Qt's remedy is a QtCore built with `-sanitize thread`; the inline QMutex paths in
# Qt's headers (qtsan_impl.h) are annotated already when the includer is built with TSan, so
# only this one library needs rebuilding: Debian's QtGui, QtWidgets, QtSql, QtNetwork, QtTest
# and their plugins load against it unchanged.
#   bash tests/sanitizers/qtcore-tsan.sh [OUT_DIR]      (default OUT_DIR: build-qtcore-tsan/)
#   LD_LIBRARY_PATH=<the last line it prints> ctest -L threads
# It installs the build dependencies of QtCore that are missing (as root or through sudo),
# downloads Debian's source package of exactly the installed libqt6core6 (checked against
# the checksums in its .dsc), configures qtbase with Debian's own options for what QtCore
# contains (install paths, glib, ICU, system PCRE2, double-conversion, zlib, libb2, no
# bundled MIME database, not relocatable) plus -sanitize thread, -O1 -g1, QProcess on
# fork() (see below) and the other modules off, builds the Core target only (about 20
# minutes on two cores, at nice 10; JOBS=2 compile at once), checks that it exports every
# symbol Debian's does and that Debian's Qt libraries and plugins resolve against it, and
# prints the directory holding libQt6Core.so.6 on its last line. Running it again reuses
# what is there; a new libqt6core6 version starts over.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$(realpath -m "${1:-$top/build-qtcore-tsan}")
jobs=${JOBS:-2}
[[ "$jobs" =~ ^[1-9][0-9]*$ ]] || { echo "qtcore-tsan: JOBS must be a number, not $jobs" >&2; exit 2; }

bash "$top/packaging/install-deps.sh" --qtcore-tsan # its build dependencies, when missing

version=$(dpkg-query -W -f='${Version}' libqt6core6)      # e.g. 6.4.2+dfsg-10
bare=${version#*:}                                        # file names carry no epoch
# The .dsc names the two other files (orig.tar.xz, debian.tar.xz) too.
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
debian_core=/usr/lib/$multiarch/libQt6Core.so.6
downloads=$out/downloads
source=$out/qt6-base-$bare
build=$out/build
lib=$build/lib/$multiarch # INSTALL_LIBDIR, as in the build tree
mkdir -p "$out"
if [[ -f "$out/version" && "$(cat "$out/version")" != "$version" ]]; then
    echo "qtcore-tsan: libqt6core6 is now $version, not $(cat "$out/version"): starting over" >&2
    rm -rf --one-file-system "$build" "$out"/qt6-base-*
fi
echo "$version" >"$out/version"

# The source package, from Debian's archive (the security archive for a security update).
dsc=qt6-base_$bare.dsc
pools=(http://deb.debian.org/debian/pool/main/q/qt6-base
       http://deb.debian.org/debian-security/pool/updates/main/q/qt6-base)
mkdir -p "$downloads"
fetch() { # FILE: into $downloads from the first pool that has it
    local pool
    [[ -s "$downloads/$1" ]] && return 0
    for pool in "${pools[@]}"; do
        if curl -fsSL --retry 5 -o "$downloads/$1.part" "$pool/$1"; then
            mv "$downloads/$1.part" "$downloads/$1"
            return 0
        fi
    done
    rm -f "$downloads/$1.part"
    echo "qtcore-tsan: $1 is in none of ${pools[*]}" >&2
    exit 1
}
if [[ ! -d "$source" ]]; then
    fetch "$dsc"
    mapfile -t files < <(sed -n '/^Checksums-Sha256:/,/^[^ ]/s/^ \([0-9a-f]\{64\}\) [0-9]* \(.*\)$/\1 \2/p' \
        "$downloads/$dsc")
    [[ ${#files[@]} -gt 0 ]] || { echo "qtcore-tsan: no checksums in $dsc" >&2; exit 1; }
    for line in "${files[@]}"; do
        fetch "${line#* }"
        if ! (cd "$downloads" && echo "${line% *}  ${line#* }" | sha256sum --quiet -c -); then
            rm -f "$downloads/${line#* }"
            echo "qtcore-tsan: ${line#* } does not match $dsc; removed it, run again" >&2
            exit 1
        fi
    done
    # dpkg-source applies Debian's patches (security fixes, the shared zstd). It checks the .dsc's
    # signature only where debian-keyring is installed; the checksums above are checked anyway.
    rm -rf --one-file-system "$source.tmp"
    (cd "$downloads" && dpkg-source -q --no-copy -x "$dsc" "$source.tmp") >"$out/extract.log" 2>&1 ||
        { cat "$out/extract.log" >&2; exit 1; }
    mv "$source.tmp" "$source"
fi

# Debian's options (debian/rules and dh_auto_configure) wherever they change what QtCore holds:
# the install paths QLibraryInfo answers (where the plugins are, QSettings' /etc/xdg),
# the libraries it uses and the features. The other modules are off: QtCore's features do not
# depend on them. -O1 -g1: ThreadSanitizer's advice, and line numbers in its reports.
# One feature differs from Debian's, forkfd_pidfd (used by QProcess alone, in qprocess_unix.cpp):
# with it QProcess starts a child with clone(CLONE_VM|CLONE_VFORK), and GCC 12's ThreadSanitizer
# runs its after-fork code for that child in the parent's memory, so the parent stops checking
# the thread that started the process (its accesses ignored, its reports suppressed) and dies at
# its next new thread ("starting new threads after multi-threaded fork is not supported").
# Without it QProcess uses fork(), which ThreadSanitizer handles.
options=(
    -DCMAKE_BUILD_TYPE=None -DCMAKE_C_FLAGS="-O1 -g1" -DCMAKE_CXX_FLAGS="-O1 -g1"
    -DCMAKE_LIBRARY_PATH="$multiarch"
    -DCMAKE_INSTALL_PREFIX=/usr -DCMAKE_INSTALL_SYSCONFDIR=/etc
    -DCMAKE_INSTALL_LOCALSTATEDIR=/var -DCMAKE_INSTALL_RUNSTATEDIR=/run
    -DCMAKE_INSTALL_LIBDIR="lib/$multiarch"
    -DINSTALL_BINDIR=lib/qt6/bin
    -DINSTALL_LIBDIR="lib/$multiarch"
    -DINSTALL_LIBEXECDIR=lib/qt6/libexec
    -DINSTALL_ARCHDATADIR="lib/$multiarch/qt6"
    -DINSTALL_EXAMPLESDIR="lib/$multiarch/qt6/examples"
    -DINSTALL_DATADIR=share/qt6
    -DINSTALL_HOSTDATADIR="lib/$multiarch/qt6"
    -DINSTALL_DOCDIR=share/qt6/doc
    -DINSTALL_SYSCONFDIR=/etc/xdg
    -DINSTALL_INCLUDEDIR="include/$multiarch/qt6"
    -DINSTALL_PLUGINDIR="lib/$multiarch/qt6/plugins"
    -DINSTALL_TRANSLATIONDIR=share/qt6/translations
    -DINSTALL_MKSPECSDIR="lib/$multiarch/qt6/mkspecs"
    -DINSTALL_PUBLICBINDIR=bin
    -DFEATURE_mimetype_database=OFF
    -DFEATURE_doubleconversion=ON -DFEATURE_system_doubleconversion=ON
    -DFEATURE_glib=ON -DFEATURE_icu=ON
    -DFEATURE_pcre2=ON -DFEATURE_system_pcre2=ON
    -DFEATURE_zlib=ON -DFEATURE_system_zlib=ON -DFEATURE_zstd=ON
    -DFEATURE_system_libb2=ON
    -DFEATURE_journald=OFF -DFEATURE_lttng=OFF
    -DFEATURE_rpath=OFF -DFEATURE_relocatable=OFF
    -DFEATURE_sanitize_thread=ON
    -DFEATURE_forkfd_pidfd=OFF
    -DFEATURE_gui=OFF -DFEATURE_widgets=OFF -DFEATURE_network=OFF -DFEATURE_sql=OFF
    -DFEATURE_testlib=OFF -DFEATURE_xml=OFF -DFEATURE_dbus=OFF -DFEATURE_concurrent=OFF
    -DFEATURE_printsupport=OFF
    -DQT_BUILD_EXAMPLES=OFF -DQT_BUILD_TESTS=OFF -DQT_BUILD_BENCHMARKS=OFF
)
# Configured again when these options changed since the last run (they are kept beside it).
if [[ ! -f "$build/CMakeCache.txt" || "$(cat "$out/options" 2>/dev/null)" != "${options[*]}" ]]; then
    echo "qtcore-tsan: configuring qtbase $version in $build" >&2
    rm -f "$out/options"
    if ! nice -n 10 cmake -S "$source" -B "$build" -G Ninja --log-level=STATUS "${options[@]}" \
        >"$out/configure.log" 2>&1; then
        tail -40 "$out/configure.log" >&2
        echo "qtcore-tsan: configuring failed; the whole output is in $out/configure.log" >&2
        exit 1
    fi
    echo "${options[*]}" >"$out/options"
fi

started=$SECONDS
echo "qtcore-tsan: building QtCore (the first time about 20 minutes on two cores;" \
    "log: $out/build.log)" >&2
if ! nice -n 10 ninja -C "$build" -j"$jobs" Core >"$out/build.log" 2>&1; then
    tail -40 "$out/build.log" >&2
    echo "qtcore-tsan: the build failed; the whole output is in $out/build.log" >&2
    exit 1
fi
echo "qtcore-tsan: built in $(((SECONDS - started) / 60)) min" >&2
[[ -f "$lib/libQt6Core.so.6" ]] || { echo "qtcore-tsan: no $lib/libQt6Core.so.6" >&2; exit 1; }
nm -D --undefined-only "$lib/libQt6Core.so.6" | grep __tsan_func_entry >/dev/null ||
    { echo "qtcore-tsan: $lib/libQt6Core.so.6 is not built with ThreadSanitizer" >&2; exit 1; }

# Drop-in: every symbol Debian's QtCore exports, with its version node (Qt_6, Qt_6.4,
# Qt_6_PRIVATE_API...), must be exported by this one too...
exports() {
    nm -D --defined-only --with-symbol-versions "$1" | awk '{print $NF}' | sed 's/@@*/@/' | sort -u
}
absent=$(comm -23 <(exports "$debian_core") <(exports "$lib/libQt6Core.so.6"))
if [[ -n "$absent" ]]; then
    echo "$absent" | head -20 >&2
    echo "qtcore-tsan: $lib/libQt6Core.so.6 lacks $(echo "$absent" | wc -l) symbols of" \
        "Debian's: not a drop-in replacement" >&2
    exit 1
fi
# ...and Debian's Qt libraries and plugins must find everything they need in it.
shopt -s nullglob
for library in /usr/lib/"$multiarch"/libQt6*.so.6 /usr/lib/"$multiarch"/qt6/plugins/*/*.so; do
    ldd "$library" 2>/dev/null | grep 'libQt6Core\.so\.6 ' >/dev/null || continue
    before=$(ldd -r "$library" 2>&1 | grep -c 'undefined symbol' || true)
    after=$(LD_LIBRARY_PATH="$lib" ldd -r "$library" 2>&1 | grep 'undefined symbol' || true)
    if [[ $(printf '%s' "$after" | grep -c . || true) -gt $before ]]; then
        echo "$after" | head -10 >&2
        echo "qtcore-tsan: $library does not resolve against $lib/libQt6Core.so.6" >&2
        exit 1
    fi
done
echo "qtcore-tsan: $lib/libQt6Core.so.6 ($version, ThreadSanitizer) replaces Debian's:" \
    "LD_LIBRARY_PATH=$lib" >&2
echo "$lib"
