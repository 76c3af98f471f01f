#!/usr/bin/env bash
# Prints the project's source files, NUL-separated, relative to the top: what git tracks plus new
# files it does not ignore (so a clean clone gives exactly its files), or, in a copy without
# git (a fresh root), every file but build trees. For copying the source somewhere clean:
#   bash packaging/source-files.sh | tar --null -T - -cf - | tar -xf - -C DIR
set -euo pipefail
cd "$(dirname "$0")/.."
if command -v git >/dev/null && git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git ls-files -z --cached --others --exclude-standard |
        while IFS= read -r -d '' file; do
            [[ -e "$file" ]] && printf '%s\0' "$file" # skip tracked files deleted in the work tree
        done
else
    find . -mindepth 1 \( -path './build*' -o -path './.cache' -o -name '.git' \) -prune -o \
        \( -type f -o -type l \) -printf '%P\0'
fi
