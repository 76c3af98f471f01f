# Sourced by the packaging checks: what the program itself says its command line is, read from
# its --help output (never a list written here), so that a new command or option that the man
# page or the completion does not know fails a test.
# Needs ALGOADMIN (the executable).

# The commands, one a line: the words after "algoadmin" in the usage, and gui.
cli_commands()
{
    echo gui
    "$ALGOADMIN" --help | sed -n -E 's/^  algoadmin ([a-z][a-z-]*) .*/\1/p' | grep -v '^gui$' | sort -u
}

# The options `algoadmin COMMAND --help` lists, one a line (-d, --dbname, …, -?, --help).
cli_options()
{
    "$ALGOADMIN" "$1" --help | sed -n '/[Oo]ptions:$/,$p' | grep -E '^  -' |
        awk -F '  +' '{print $2}' | sed -E 's/ <[^>]*>//g' | tr ',' '\n' | tr -d ' ' | grep -v '^$'
}

# The actions of `algoadmin local`, one a line, from its synopsis.
cli_local_actions()
{
    "$ALGOADMIN" local --help | sed -n -E '1s/^usage: algoadmin local ([a-z|]+) .*/\1/p' | tr '|' '\n'
}

# The panels --panel takes, from the window's own refusal of an unknown one.
cli_panels()
{
    # It exits 2 (bad usage), which is what is asked for here.
    { QT_QPA_PLATFORM=offscreen "$ALGOADMIN" --panel no-such-panel 2>&1 >/dev/null || true; } |
        sed -n -E 's/.*unknown panel "no-such-panel" \(([a-z, ]+)\).*/\1/p' | tr ',' '\n' | tr -d ' '
}

# The actions --run takes, from the window's options ("(schema: migrate, rehearse, …)").
cli_run_actions()
{
    "$ALGOADMIN" gui --help | tr '\n' ' ' | tr -s ' ' |
        sed -n -E 's/.*--run <ACTION> .*\(schema: ([a-z, ]+)\).*/\1/p' | tr ',' '\n' | tr -d ' '
}

# Fails with a message when `$2` (a list, one a line) is empty: a check over nothing proves
# nothing.
require_some()
{
    [[ -n "$2" ]] || {
        echo "FAIL: found no $1 in the program's --help output" >&2
        exit 1
    }
}
