#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite against a private
# PostgreSQL that the test run starts and stops itself. Ends with ctest's summary.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
bash "$top/packaging/install-deps.sh"
bash "$top/packaging/build.sh"
build=${ALGOADMIN_BUILD_DIR:-$top/build}
cd "$build"
exec ctest --output-on-failure --timeout 900 "$@"
