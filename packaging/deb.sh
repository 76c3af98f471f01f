#!/usr/bin/env bash
# Builds the Debian package: a release build (no tests) with debhelper, then lintian on it.
# Writes algoadmin_VERSION_ARCH.deb into build-deb/ (or $ALGOADMIN_DEB_DIR) and prints its
# path as the last line. Installs what it needs (the build's packages, debhelper, lintian).
#
# Why debhelper rather than CPack: it is how Debian itself builds packages, so the hardening
# flags, stripping (into a -dbgsym package, not built here), dpkg-shlibdeps, the compressed man
# page and changelog and the file permissions are right by construction, and lintian comes out
# clean without per-rule fixes. The version still has one source: debian/changelog is written
# here from the project version in CMakeLists.txt.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=${ALGOADMIN_DEB_DIR:-$top/build-deb}

bash "$top/packaging/install-deps.sh"
bash "$top/packaging/install-deps.sh" --packaging

version=$(sed -n -E 's/^project\(AlgoAdmin VERSION ([0-9.]+).*/\1/p' "$top/CMakeLists.txt")
date=$(sed -n -E 's/^set\(ALGOADMIN_RELEASE_DATE ([0-9-]+)\)/\1/p' "$top/CMakeLists.txt")
[[ -n "$version" && -n "$date" ]] || { echo "deb: no version or release date in CMakeLists.txt" >&2; exit 1; }

# A copy of the source (packaging/source-files.sh), so that nothing of a developer's build
# trees ends up in the package's build.
work=$(mktemp -d /tmp/algoadmin-deb.XXXXXX)
trap 'rm -rf "$work"' EXIT
src=$work/algoadmin-$version
mkdir -p "$src"
bash "$top/packaging/source-files.sh" | (cd "$top" && tar --null -T - -cf -) | tar -xf - -C "$src"
cp -r "$top/packaging/debian" "$src/debian"
cat >"$src/debian/changelog" <<EOF
algoadmin ($version) unstable; urgency=medium

  * Release $version: see the README.

 -- AlgoAdmin developers <maintainers@algoadmin.example.org>  $(date -R -u -d "$date 12:00")
EOF

echo "deb: building algoadmin $version (release, no tests)…" >&2
(cd "$src" && DEB_BUILD_OPTIONS="noautodbgsym parallel=$(nproc)" \
    dpkg-buildpackage -b -us -uc >"$work/build.log" 2>&1) || {
    tail -40 "$work/build.log" >&2
    echo "deb: dpkg-buildpackage failed (the end of its log is above)" >&2
    exit 1
}
arch=$(dpkg-architecture -qDEB_HOST_ARCH)
deb=$work/algoadmin_${version}_${arch}.deb
[[ -f "$deb" ]] || { echo "deb: dpkg-buildpackage wrote no $deb" >&2; exit 1; }

# Errors fail the build; warnings and info are printed (README: "The Debian package").
echo "deb: lintian…" >&2
as_root=()
[[ $(id -u) -eq 0 ]] && as_root=(--allow-root)
lintian "${as_root[@]}" --fail-on error --info --display-level '>=info' "$deb" >&2 || {
    echo "deb: lintian found errors in the package" >&2
    exit 1
}
mkdir -p "$out"
cp "$deb" "$out/"
echo "$out/$(basename "$deb")"
