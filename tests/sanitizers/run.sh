#!/usr/bin/env bash
# Builds AlgoAdmin and its tests with sanitizers and runs them; every finding fails the test that
# made it (the options are in tests/CMakeLists.txt, third-party leaks in lsan.supp).
#   bash tests/sanitizers/run.sh address [BUILD_DIR]   AddressSanitizer, UndefinedBehaviorSanitizer
#        and LeakSanitizer on the whole suite (default BUILD_DIR: build-asan/)
#   bash tests/sanitizers/run.sh thread [BUILD_DIR]    ThreadSanitizer on the tests labelled
#        `threads`, the ones whose code runs on more than one thread (default: build-tsan/)
# JOBS tests run at once (default 2). The first build takes over an hour on two cores; later
# runs rebuild only what changed. Ends with a row for README's fault table
# (tests/faults/fault-table.sh) when everything passed.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
kind=${1:-}
case "$kind" in
address)
    sanitize=address,undefined
    build=$(realpath -m "${2:-$top/build-asan}")
    label=""
    ;;
thread)
    sanitize=thread
    build=$(realpath -m "${2:-$top/build-tsan}")
    label=threads
    ;;
*)
    echo "usage: bash tests/sanitizers/run.sh address|thread [BUILD_DIR]" >&2
    exit 2
    ;;
esac
jobs=${JOBS:-2}
[[ "$jobs" =~ ^[1-9][0-9]*$ ]] || { echo "sanitizers: JOBS must be a number, not $jobs" >&2; exit 2; }

# -O1: the sanitizers' own advice, and a quarter of -O2's compile time; -g1: line numbers in
# their reports.
if [[ ! -f "$build/CMakeCache.txt" ]]; then
    cmake -S "$top" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE= -DCMAKE_CXX_FLAGS="-O1 -g1" \
        -DALGOADMIN_SANITIZE="$sanitize" >/dev/null
fi
configured=$(sed -n 's/^ALGOADMIN_SANITIZE:STRING=//p' "$build/CMakeCache.txt")
if [[ "$configured" != "$sanitize" ]]; then
    echo "sanitizers: $build is built with '${configured}', not $sanitize: name another directory" >&2
    exit 2
fi

started=$SECONDS
if [[ "$kind" == thread ]]; then
    # Debian's QtCore hides its locks from ThreadSanitizer: the tests run against one built with
    # it (qtcore-tsan.sh, in build-qtcore-tsan/).
    qtcore=$(bash "$top/tests/sanitizers/qtcore-tsan.sh" | tail -1)
    export LD_LIBRARY_PATH=$qtcore${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
fi
if [[ -n "$label" ]]; then
    # Only the labelled tests and what they need (the libraries, the app, the proxy).
    cmake --build "$build" --target help >/dev/null # configures, so ctest knows the labels
    # (ctest lists the fixture's pg_cluster_start and _stop too: they run the app, not a target.)
    mapfile -t targets < <(cd "$build" && ctest -N -L "$label" | sed -n 's/^ *Test *#[0-9]*: \(tst_\)/\1/p')
    [[ ${#targets[@]} -gt 0 ]] || { echo "sanitizers: no test has the label $label" >&2; exit 1; }
    cmake --build "$build" --target "${targets[@]}"
    selection=(-L "$label")
else
    cmake --build "$build"
    selection=()
fi
built=$((SECONDS - started))

started=$SECONDS
log=$build/sanitizers-$kind.log
if ! (cd "$build" && ctest -j"$jobs" --output-on-failure "${selection[@]}") >"$log" 2>&1; then
    grep -E 'ERROR: (Address|Leak|Thread)Sanitizer|WARNING: ThreadSanitizer|runtime error:' \
        "$log" | sort | uniq -c | head -20 >&2 || true
    tail -30 "$log" >&2
    echo "sanitizers: FAILED under $sanitize; the whole output is in $log" >&2
    exit 1
fi
ran=$((SECONDS - started))
# The tests, without the test cluster's start and stop, which ctest counts too.
tests=$(grep -cE '^ *[0-9]+/[0-9]+ Test +#[0-9]+: (tst_|fuzz_)' "$log")
tail -3 "$log"
echo "sanitizers: $tests tests under $sanitize, no report (build $((built / 60)) min," \
    "run $((ran / 60)) min $((ran % 60)) s)"

if [[ "$kind" == address ]]; then
    what="the whole suite ($tests tests: the app, the command line, every panel, the faults above)"
    what+=" built with AddressSanitizer, UndefinedBehaviorSanitizer and LeakSanitizer"
    would="a use after free, an overflow, undefined behaviour or a leak would fail its test"
else
    what="the $tests tests whose code runs on more than one thread (the database worker, the"
    what+=" connection monitor, every panel reading through them) built with ThreadSanitizer"
    would="a data race or a lock-order inversion would fail its test"
fi
echo "fault-table | $what | \`tests/sanitizers/run.sh $kind\` | $((ran / 60)) min $((ran % 60)) s" \
    "with $jobs at once: no report ($would) | nothing |"
