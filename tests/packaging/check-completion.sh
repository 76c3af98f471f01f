#!/usr/bin/env bash
# Bash completion for algoadmin, run as bash runs it: for each command, completing an option
# offers every option that `algoadmin COMMAND --help` lists; the first word offers every
# command; `local` offers its actions; --panel and --run offer what the window takes.
#   check-completion.sh ALGOADMIN COMPLETION_FILE
set -euo pipefail
ALGOADMIN=$1
source "$(dirname "$0")/clisurface.sh"
source "$2"

# Completes the words given, the last being the one under the cursor; prints the offers.
complete_words()
{
    COMP_WORDS=(algoadmin "$@")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMP_LINE="${COMP_WORDS[*]}"
    COMP_POINT=${#COMP_LINE}
    COMPREPLY=()
    # As bash calls it: not under set -e (compgen fails when nothing matches).
    set +e
    _algoadmin algoadmin "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
    set -e
    printf '%s\n' "${COMPREPLY[@]}"
}

failed=0 checked=0
expect_offered()
{
    local what=$1 offers=$2 word
    shift 2
    for word in "$@"; do
        checked=$((checked + 1))
        if ! grep -qxF -- "$word" <<<"$offers"; then
            echo "FAIL: completing $what does not offer $word"
            failed=$((failed + 1))
        fi
    done
}

commands=$(cli_commands)
require_some commands "$commands"
expect_offered "the first word" "$(complete_words '')" $commands
expect_offered "algoadmin --" "$(complete_words --)" --version --help
for command in $commands; do
    options=$(cli_options "$command" | grep -vxF -- '-?')
    require_some "options of $command" "$options"
    expect_offered "algoadmin $command -" "$(complete_words "$command" -)" $options
done
# Options typed without the word gui belong to the window.
expect_offered "algoadmin -" "$(complete_words -)" $(cli_options gui | grep -vxF -- '-?')
actions=$(cli_local_actions)
require_some "local actions" "$actions"
expect_offered "algoadmin local" "$(complete_words local '')" $actions
panels=$(cli_panels)
require_some panels "$panels"
expect_offered "--panel" "$(complete_words --panel '')" $panels
runs=$(cli_run_actions)
require_some "--run actions" "$runs"
expect_offered "--run" "$(complete_words --screenshot x.png --run '')" $runs
# A word that is no option of the command is not offered.
if grep -qxF -- --rehearse <<<"$(complete_words status --)"; then
    echo "FAIL: completing algoadmin status -- offers migrate's --rehearse"
    failed=$((failed + 1))
fi
checked=$((checked + 1))
echo "$((checked - failed)) passed, $failed failed"
[[ $failed -eq 0 ]]
