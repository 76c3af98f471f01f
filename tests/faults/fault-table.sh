#!/usr/bin/env bash
# Regenerates README's fault table ("Faults: what was injected and what was lost") from a run
# of the fault suite: every test of the label `faults` prints its rows ("fault-table | … |",
# with the figures it measured) once all it states has passed; this runs `ctest -L faults` in
# the build directory, then the fuzz target for FUZZ_SECONDS (default 600; tests/fuzz/run.sh),
# then the sanitizer runs SANITIZERS names (default "address thread"; tests/sanitizers/run.sh,
# in build-asan/ and build-tsan/: over an hour each the first time), and puts those rows between
# the README's markers, in that order.
#   bash tests/faults/fault-table.sh [BUILD_DIR]     (default: build/, built already)
# A failing suite leaves the README as it was and says which tests failed.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}
readme=$top/README.md
log=$(mktemp)
trap 'rm -f "$log" "$log.rows" "$log.readme"' EXIT

if ! (cd "$build" && ctest -L faults -V) >"$log" 2>&1; then
    echo "fault-table: the fault suite failed; README.md is unchanged:" >&2
    grep -E '^\s+[0-9]+ - ' "$log" >&2 || tail -20 "$log" >&2
    exit 1
fi
if ! bash "$top/tests/fuzz/run.sh" "${FUZZ_SECONDS:-600}" "$build/fuzz" >>"$log" 2>&1; then
    echo "fault-table: the fuzz run failed; README.md is unchanged:" >&2
    tail -20 "$log" >&2
    exit 1
fi
for kind in ${SANITIZERS-address thread}; do
    if ! bash "$top/tests/sanitizers/run.sh" "$kind" >>"$log" 2>&1; then
        echo "fault-table: the $kind sanitizer run failed; README.md is unchanged:" >&2
        tail -20 "$log" >&2
        exit 1
    fi
done
# "NN: QINFO  : Tst::f() fault-table | a | b | c | d |" → "| a | b | c | d |", ctest's order.
sed -n 's/^.*fault-table \(| .* |\)$/\1/p' "$log" >"$log.rows"
if [[ ! -s "$log.rows" ]]; then
    echo "fault-table: the suite printed no rows; README.md is unchanged" >&2
    exit 1
fi
awk -v rows="$log.rows" '
    /<!-- fault-table:begin -->/ {
        print
        print "| fault injected | test | what happened (measured in this run) | lost |"
        print "|---|---|---|---|"
        while ((getline line < rows) > 0) print line
        skipping = 1
        next
    }
    /<!-- fault-table:end -->/ { skipping = 0 }
    !skipping { print }
' "$readme" >"$log.readme"
grep -q '<!-- fault-table:end -->' "$log.readme" || { echo "fault-table: README.md has no markers" >&2; exit 1; }
cp "$log.readme" "$readme"
echo "fault-table: $(wc -l <"$log.rows") rows written to README.md"
