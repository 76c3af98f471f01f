#!/usr/bin/env bash
# The desktop entry and the AppStream metainfo pass Debian's validators without a single remark
# (desktop-file-validate; appstreamcli validate --pedantic, offline), and name the same program.
#   check-desktop-files.sh DESKTOP_FILE METAINFO_FILE ICON_DIR
set -euo pipefail
desktop=$1 metainfo=$2 icons=$3
failed=0 checked=0
check()
{
    checked=$((checked + 1))
    if ! "$@"; then
        failed=$((failed + 1))
    fi
}

validate_desktop()
{
    local out
    out=$(desktop-file-validate "$desktop" 2>&1) || true
    [[ -z "$out" ]] || { echo "FAIL: desktop-file-validate $desktop:"; echo "$out"; return 1; }
}
validate_metainfo()
{
    local out status=0
    out=$(appstreamcli validate --pedantic --no-net "$metainfo" 2>&1) || status=$?
    # Pedantic remarks do not change the exit status: any line of the form "X: …" is one.
    if [[ $status -ne 0 ]] || grep -qE '^[EWIP]: ' <<<"$out"; then
        echo "FAIL: appstreamcli validate --pedantic $metainfo:"
        echo "$out"
        return 1
    fi
}
same_program()
{
    local exec icon launchable
    exec=$(sed -n 's/^Exec=\([^ ]*\).*/\1/p' "$desktop")
    icon=$(sed -n 's/^Icon=//p' "$desktop")
    launchable=$(sed -n 's:.*<launchable type="desktop-id">\(.*\)</launchable>.*:\1:p' "$metainfo")
    [[ "$launchable" == "$(basename "$desktop")" ]] ||
        { echo "FAIL: the metainfo launches '$launchable', not $(basename "$desktop")"; return 1; }
    grep -q "<binary>$exec</binary>" "$metainfo" ||
        { echo "FAIL: the metainfo does not provide the binary $exec"; return 1; }
    # The icon the entry names exists in the hicolor sizes a desktop asks for, and as SVG.
    local size
    for size in 16 22 24 32 48 64 128 256 512; do
        [[ -s "$icons/hicolor/${size}x${size}/apps/$icon.png" ]] ||
            { echo "FAIL: no ${size}x${size} $icon.png"; return 1; }
    done
    [[ -s "$icons/$icon.svg" ]] || { echo "FAIL: no $icon.svg"; return 1; }
}

check validate_desktop
check validate_metainfo
check same_program
echo "$((checked - failed)) passed, $failed failed"
[[ $failed -eq 0 ]]
