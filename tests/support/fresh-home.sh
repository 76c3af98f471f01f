#!/usr/bin/env bash
# Runs a test with a home directory of its own, emptied first: HOME=DIR (XDG_CONFIG_HOME,
# XDG_DATA_HOME, XDG_CACHE_HOME and XDG_STATE_HOME unset, so they follow it). Tests running in
# parallel then share no settings file: neither a value one test wrote reaches another, nor does
# one wait for another's QSettings lock (QLockFile sleeps 100 ms and more when it finds it taken).
#   bash tests/support/fresh-home.sh DIR PROGRAM [ARGS...]
set -euo pipefail
home=${1:?fresh-home: DIR is missing}
shift
[[ "$home" == */test-homes/* ]] || { echo "fresh-home: $home is not under test-homes/" >&2; exit 2; }
rm -rf -- "$home"
mkdir -p -- "$home"
unset XDG_CONFIG_HOME XDG_DATA_HOME XDG_CACHE_HOME XDG_STATE_HOME
HOME=$home exec "$@"
