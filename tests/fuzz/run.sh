#!/usr/bin/env bash
# Builds the fuzz targets with clang (libFuzzer, AddressSanitizer, UndefinedBehaviorSanitizer)
# and runs fuzz_migration for SECONDS (default 60) from a corpus of real SQL: the seeds here,
# the bundled migrations, and the SQL PostgreSQL itself ships (its extension scripts and
# system views, written by PostgreSQL's developers). Exits non-zero on a crash, a hang (an
# input taking over 10 s), a leak or a sanitizer report, leaving the input that caused it in
# the work directory it names.
#   bash tests/fuzz/run.sh [SECONDS] [BUILD_DIR]      (default BUILD_DIR: build-fuzz/)
# Needs clang-14 and libfuzzer-14-dev, which packaging/install-deps.sh installs.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
seconds=${1:-60}
build=$(realpath -m "${2:-$top/build-fuzz}")
[[ "$seconds" =~ ^[0-9]+$ ]] || { echo "fuzz: SECONDS must be a number, not $seconds" >&2; exit 2; }
command -v clang++-14 >/dev/null ||
    { echo "fuzz: clang++-14 is missing: bash packaging/install-deps.sh" >&2; exit 2; }

if [[ ! -f "$build/CMakeCache.txt" ]]; then
    cmake -S "$top/tests/fuzz" -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++-14 \
        -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
cmake --build "$build" >/dev/null

work=$(mktemp -d "${TMPDIR:-/tmp}/algoadmin-fuzz.XXXXXX")
corpus=$work/corpus
mkdir -p "$corpus"
cp "$top"/tests/fuzz/seeds/*.sql "$top"/sql/*.sql "$corpus"/
shopt -s nullglob
for file in /usr/share/postgresql/*/extension/*.sql /usr/share/postgresql/*/*.sql; do
    # Up to 64 KiB each (-max_len): larger files add length, not new shapes.
    head -c 65536 "$file" >"$corpus/pg-$(basename "$(dirname "$file")")-$(basename "$file")"
done
inputs=$(ls "$corpus" | wc -l)
echo "fuzz: fuzz_migration for ${seconds} s from $inputs inputs (work: $work)"
cd "$work"
if "$build/fuzz_migration" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -max_len=65536 -print_final_stats=1 "$corpus" >"$work/log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log")
    added=$(sed -n 's/^stat::new_units_added: *//p' "$work/log")
    echo "fuzz: no crash, hang or sanitizer report in ${seconds} s: $runs inputs run, $added new"
    # README's fault table (tests/faults/fault-table.sh) takes this line.
    echo "fault-table | libFuzzer with AddressSanitizer and UndefinedBehaviorSanitizer on the" \
        "migration file loader and the SQL splitter, from $inputs files of real SQL (PostgreSQL's" \
        "own extension scripts and system views, the bundled migrations, seeds) |" \
        "\`fuzz_migration\` | $((seconds / 60)) min $((seconds % 60)) s, $runs inputs run" \
        "($added grew the coverage): no crash, hang, leak or sanitizer report | nothing |"
    rm -rf "$work"
else
    tail -40 "$work/log"
    echo "fuzz: FAILED; the input and the log are in $work" >&2
    exit 1
fi
