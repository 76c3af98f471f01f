#!/usr/bin/env bash
# Installs what is missing, builds, and starts AlgoAdmin on its embedded default: a private
# local PostgreSQL with demo data. Extra arguments go to algoadmin.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
bash "$top/packaging/install-deps.sh"
bash "$top/packaging/build.sh"
build=${ALGOADMIN_BUILD_DIR:-$top/build}
if [[ -z "${DISPLAY:-}" && -z "${WAYLAND_DISPLAY:-}" && -z "${QT_QPA_PLATFORM:-}" ]]; then
    echo "run: no display found; starting under Xvfb (xvfb-run)" >&2
    exec xvfb-run -a "$build/algoadmin" --local --demo "$@"
fi
exec "$build/algoadmin" --local --demo "$@"
