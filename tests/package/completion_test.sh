#!/usr/bin/env bash
# cardctl's bash completion offers exactly what cardctl's --help lists: for
# cardctl and each subcommand, the subcommands under it and its long flags,
# no more and no fewer, so a flag added to cardctl without its completion (or
# one removed) fails here. Also a flag's value is not taken for a subcommand.
# Usage: completion_test.sh COMPLETION_FILE CARDCTL
set -euo pipefail

completion=$(readlink -f "$1")
cardctl=$2

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

[ -f "$completion" ] || fail "no completion file at $completion"
[ -x "$cardctl" ] || fail "no cardctl binary at $cardctl"
# shellcheck source=/dev/null
source "$completion"
[ "$(complete -p cardctl)" = "complete -F _cardctl cardctl" ] || fail "$completion does not register _cardctl for cardctl"

# What the completion offers after "cardctl WORDS... CUR", one per line, sorted.
complete_words() {  # complete_words CUR [WORD...]
    local cur=$1
    shift
    COMP_WORDS=(cardctl "$@" "$cur")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMP_LINE="${COMP_WORDS[*]}"
    COMP_POINT=${#COMP_LINE}
    _cardctl
    printf '%s\n' "${COMPREPLY[@]}" | sed '/^$/d' | sort -u
}

subcommands_of_help() {
    awk '/^Subcommands:/ { in_list = 1; next } in_list && /^$/ { in_list = 0 } in_list && /^  [a-z]/ { print $1 }' | sort -u
}
long_flags_of_help() {
    sed -nE 's/^ +(-[A-Za-z0-9],)?(--[A-Za-z0-9][A-Za-z0-9-]*).*/\2/p' | sort -u
}

failures=0
expect_same() {  # expect_same WHAT EXPECTED GOT
    if [ "$2" != "$3" ]; then
        echo "mismatch for $1:" >&2
        diff <(echo "$2") <(echo "$3") | sed -n 's/^</  in --help, not completed:/p; s/^>/  completed, not in --help:/p' >&2 || true
        failures=$((failures + 1))
    fi
}

paths=('')
checked=0
while [ ${#paths[@]} -gt 0 ]; do
    path=${paths[0]}
    paths=("${paths[@]:1}")
    # shellcheck disable=SC2086 # path is words on purpose
    help=$("$cardctl" $path --help 2>&1) || fail "cardctl $path --help failed"
    subs=$(subcommands_of_help <<<"$help")
    flags=$(long_flags_of_help <<<"$help")
    # shellcheck disable=SC2086
    expect_same "cardctl $path (subcommands)" "$subs" "$(complete_words '' $path)"
    # shellcheck disable=SC2086
    expect_same "cardctl $path (flags)" "$flags" "$(complete_words - $path)"
    for sub in $subs; do paths+=("${path:+$path }$sub"); done
    checked=$((checked + 1))
done
[ "$checked" -ge 30 ] || fail "only $checked commands read from cardctl's --help: has its format changed?"

# Values: a flag's value is not a subcommand, and known values are offered.
expect_same "cardctl --socket X (path past a value)" "$(printf '%s\n' device | sort)" \
    "$(complete_words dev --socket /tmp/x.sock)"
expect_same "--parity" "$(printf '%s\n' E N O)" "$(complete_words '' device add-terminal --rtu /dev/ttyUSB0 --parity)"
expect_same "--devices" all "$(complete_words a card loss --push --devices)"
expect_same "--reason" "$(printf '%s\n' damaged expired lost other)" "$(complete_words '' card loss 1001 --reason)"
expect_same "card loss past its cards" "$(printf '%s\n' --devices --help --push --reason)" \
    "$(complete_words - card loss 1001 1002)"
expect_same "--wait takes a number" "" "$(complete_words '' card topup --wait)"

[ "$failures" -eq 0 ] || fail "$failures differences between cardctl's --help and its completion"
echo "$checked commands: subcommands and flags complete as --help lists them"
echo "PASS"
