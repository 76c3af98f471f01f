#!/usr/bin/env bash
# The manual page algoadmin(1): renders without a warning, and names every command, every option
# of each command and every `local` action that the program's --help lists.
#   check-manpage.sh ALGOADMIN MANPAGE
set -euo pipefail
ALGOADMIN=$1
manpage=$2
source "$(dirname "$0")/clisurface.sh"

# groff's own warnings (-ww): bad macros, unknown escapes, lines that do not fit.
warnings=$(groff -man -Tascii -ww -z "$manpage" 2>&1)
[[ -z "$warnings" ]] || { echo "FAIL: groff warns about $manpage:"; echo "$warnings"; exit 1; }
# Rendered as a reader sees it: no hyphenation, wide lines, no overstrike.
text=$(groff -man -Tascii -P-cbou -rHY=0 -rLL=300n "$manpage")

failed=0 checked=0
expect()
{
    checked=$((checked + 1))
    if ! grep -qF -- "$1" <<<"$text"; then
        echo "FAIL: the man page does not mention $1 ($2)"
        failed=$((failed + 1))
    fi
}

commands=$(cli_commands)
require_some commands "$commands"
for command in $commands; do
    if [[ $command == gui ]]; then
        expect "algoadmin [gui]" "command"
    else
        expect "algoadmin $command" "command"
    fi
    options=$(cli_options "$command")
    require_some "options of $command" "$options"
    for option in $options; do
        expect "$option" "option of $command"
    done
done
actions=$(cli_local_actions)
require_some "local actions" "$actions"
for action in $actions; do
    expect "$action" "algoadmin local action"
done
for option in --version --help; do
    expect "$option" "algoadmin $option"
done
echo "$((checked - failed)) passed, $failed failed"
[[ $failed -eq 0 ]]
