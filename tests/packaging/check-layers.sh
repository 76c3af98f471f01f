#!/usr/bin/env bash
# The layers of docs/ARCHITECTURE.md, checked on the source tree so that they stay:
#   - no SQL outside app/ (ui/ and apps/ hold no statement text);
#   - no widgets in core (app/ includes no Qt Widgets header and does not link Qt6::Widgets);
#   - ui/ and apps/ start no threads: database work leaves the GUI thread only through
#     app/db's DatabaseWorker (or the ConnectionMonitor);
#   - no file in app/, ui/ or apps/ over 700 lines, except the data tables listed below;
#   - colours only in ui/shell/colours.h (and the icon ink in ui/shell/icons.cpp).
#   check-layers.sh SOURCE_DIR     checks the tree
#   check-layers.sh --self-test    plants each violation in a scratch tree and shows that the
#                                  check fails on it (a check that cannot fail proves nothing)
set -uo pipefail

MaxLines=700
# Files allowed over MaxLines: data tables, not logic.
LongDataFiles=(app/sandbox/demoseed.cpp)

check_tree()
{
    local top=$1 failed=0 out
    cd "$top" || return 2
    local sources=(app ui apps)

    out=$(grep -rnE --include='*.cpp' --include='*.h' \
        '"[^"]*\b(SELECT [^"]*FROM|INSERT INTO|UPDATE [a-z_]+ SET|DELETE FROM|CREATE (TABLE|INDEX)|ALTER TABLE|DROP TABLE)\b' \
        ui apps 2>/dev/null)
    if [[ -n $out ]]; then
        echo "FAIL: SQL outside app/ (move it into a repository in app/repositories):"
        echo "$out"
        failed=1
    fi

    out=$(grep -rnE --include='*.cpp' --include='*.h' \
        '#include <(QtWidgets|Q(Widget|Dialog|Application|MessageBox|MainWindow|LineEdit|Label|PushButton|TableView|TreeView|Action|Menu|ToolBar|StatusBar|FileDialog)\b)' \
        app 2>/dev/null)
    out+=$(grep -n 'Qt6::Widgets' app/CMakeLists.txt 2>/dev/null)
    if [[ -n $out ]]; then
        echo "FAIL: widgets in core (app/ must build without Qt Widgets):"
        echo "$out"
        failed=1
    fi

    out=$(grep -rnE --include='*.cpp' --include='*.h' \
        '\bQThread\b|QtConcurrent|std::thread|QThreadPool' ui apps 2>/dev/null)
    if [[ -n $out ]]; then
        echo "FAIL: a thread started in ui/ or apps/ (use a DatabaseWorker subclass in app/):"
        echo "$out"
        failed=1
    fi

    local file lines long=()
    while IFS= read -r file; do
        lines=$(wc -l <"$file")
        if ((lines > MaxLines)); then
            local allowed=0 data
            for data in "${LongDataFiles[@]}"; do
                [[ $file == "$data" ]] && allowed=1
            done
            ((allowed)) || long+=("$file: $lines lines")
        fi
    done < <(find "${sources[@]}" -name '*.cpp' -o -name '*.h' 2>/dev/null | sort)
    if ((${#long[@]})); then
        echo "FAIL: over $MaxLines lines (split it along a real seam):"
        printf '%s\n' "${long[@]}"
        failed=1
    fi

    out=$(grep -rnE --include='*.cpp' --include='*.h' \
        'QColor\([0-9]|#[0-9a-fA-F]{6}\b|Qt::(red|green|blue|darkRed|darkGreen|gray|darkGray)\b' \
        ui 2>/dev/null | grep -vE '^ui/shell/(colours\.h|icons\.cpp):')
    if [[ -n $out ]]; then
        echo "FAIL: a colour outside ui/shell/colours.h (name it there and use it):"
        echo "$out"
        failed=1
    fi
    return $failed
}

self_test()
{
    local scratch planted name failed=0
    scratch=$(mktemp -d)
    trap 'rm -rf "$scratch"' RETURN
    make_tree()
    {
        rm -rf "$scratch/tree"
        mkdir -p "$scratch/tree/app/sandbox" "$scratch/tree/ui/shell" "$scratch/tree/apps/x"
        echo 'target_link_libraries(core PUBLIC Qt6::Sql)' >"$scratch/tree/app/CMakeLists.txt"
        printf 'int f() { return 1; }\n' >"$scratch/tree/ui/panel.cpp"
        printf 'const char *q = "SELECT 1";\n' >"$scratch/tree/app/repo.cpp"
        printf 'inline QColor failure() { return QColor(0xc6, 0x28, 0x28); }\n' \
            >"$scratch/tree/ui/shell/colours.h"
        seq 1 900 | sed 's/.*/\/\/ row &/' >"$scratch/tree/app/sandbox/demoseed.cpp"
    }
    make_tree
    if ! check_tree "$scratch/tree" >/dev/null; then
        echo "FAIL: self-test: a clean tree does not pass"
        check_tree "$scratch/tree"
        failed=1
    fi
    for planted in sql widgets thread long colour; do
        make_tree
        case $planted in
        sql) printf 'auto q = "SELECT name FROM algorithm_agents";\n' >>"$scratch/tree/ui/panel.cpp" ;;
        widgets) printf '#include <QMessageBox>\n' >>"$scratch/tree/app/repo.cpp" ;;
        thread) printf '#include <QtConcurrent>\n' >>"$scratch/tree/ui/panel.cpp" ;;
        long) seq 1 701 | sed 's/.*/int v& = &;/' >>"$scratch/tree/ui/panel.cpp" ;;
        colour) printf 'auto c = QColor(0xff, 0, 0);\n' >>"$scratch/tree/ui/panel.cpp" ;;
        esac
        if check_tree "$scratch/tree" >/dev/null; then
            echo "FAIL: self-test: a planted '$planted' violation passed the check"
            failed=1
        else
            echo "ok: a planted '$planted' violation fails the check"
        fi
    done
    return $failed
}

if [[ ${1:-} == --self-test ]]; then
    self_test
    status=$?
else
    check_tree "${1:?usage: check-layers.sh SOURCE_DIR | --self-test}"
    status=$?
    ((status)) || echo "ok: the layers of docs/ARCHITECTURE.md hold in ${1}"
fi
exit $status
