#!/usr/bin/env bash
# Every manual renders with man(1) without a warning, and names every flag its
# program prints in --help: cardd(8) for cardd, card-termsim(1) for
# card-termsim, cardctl(1) for cardctl and each of its subcommands (whose
# names must appear too). cardd.conf(5) must render and name every setting
# of the example configuration.
# Usage: man_test.sh MAN_DIR CARDD CARDCTL CARD_TERMSIM CARDD_CONF
# A missing man, col or manual fails the test; it never skips.
set -euo pipefail

man_dir=$(readlink -f "$1")
cardd=$2
cardctl=$3
card_termsim=$4
example_conf=$5

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

command -v man >/dev/null || fail "man is not installed (Debian package man-db; run make deps)"
command -v col >/dev/null || fail "col is not installed (Debian package bsdextrautils; run make deps)"
for page in man8/cardd.8 man1/cardctl.1 man1/card-termsim.1 man5/cardd.conf.5; do
    [ -f "$man_dir/$page" ] ||
        fail "no $man_dir/$page: the manuals were not built (is scdoc installed? run make deps, then build)"
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The page as a reader sees it, as plain text. Lines as wide as they come and
# no hyphenation, so that no flag is split across lines.
render() {
    local page=$1 out=$2 warnings
    LC_ALL=C.UTF-8 MANWIDTH=1000 MAN_KEEP_FORMATTING=0 \
        man --nh --nj --warnings -l "$page" 2>"$work/stderr" | col -b >"$out" ||
        fail "man -l $page failed: $(cat "$work/stderr")"
    warnings=$(cat "$work/stderr")
    [ -z "$warnings" ] || fail "man -l $page warns: $warnings"
    [ -s "$out" ] || fail "man -l $page rendered nothing"
}

# The flags in the first column of CLI11's --help: "  -h,--help", "  --tcp TEXT ...".
flags_of_help() {
    local help
    help=$(cat)
    sed -nE 's/^ +(-[A-Za-z0-9],)?(--[A-Za-z0-9][A-Za-z0-9-]*).*/\2/p' <<<"$help"
    sed -nE 's/^ +(-[A-Za-z0-9]),--.*/\1/p' <<<"$help"
}

# The subcommands CLI11 lists: "  name    description" after "Subcommands:".
subcommands_of_help() {
    awk '/^Subcommands:/ { in_list = 1; next } in_list && /^$/ { in_list = 0 } in_list && /^  [a-z]/ { print $1 }'
}

missing=0
expect_in() {  # expect_in TEXT FILE WHAT
    if ! grep -qE -e "(^|[^A-Za-z0-9_-])$1([^A-Za-z0-9_-]|$)" "$2"; then
        echo "missing from $3: $1" >&2
        missing=$((missing + 1))
    fi
}

check_program() {  # check_program PAGE PROGRAM MINIMUM [SUBCOMMAND...]
    local page=$1 program=$2 minimum=$3
    shift 3
    local name text flags
    name=$(basename "$page")
    text=$work/$name.txt
    render "$page" "$text"
    "$program" --help >"$work/help" 2>&1 || fail "$program --help failed"
    flags=$(flags_of_help <"$work/help")
    local queue=() path subs sub
    for sub in "$@"; do queue+=("$sub"); done
    while [ ${#queue[@]} -gt 0 ]; do
        path=${queue[0]}
        queue=("${queue[@]:1}")
        # shellcheck disable=SC2086 # path is words on purpose
        "$program" $path --help >"$work/help" 2>&1 || fail "$(basename "$program") $path --help failed"
        expect_in "$path" "$text" "$name (a subcommand)"
        flags+=$'\n'$(flags_of_help <"$work/help")
        subs=$(subcommands_of_help <"$work/help")
        for sub in $subs; do queue+=("$path $sub"); done
    done
    flags=$(echo "$flags" | sed '/^$/d' | sort -u)
    local count
    count=$(echo "$flags" | wc -l)
    [ "$count" -ge "$minimum" ] ||
        fail "only $count flags read from $(basename "$program")'s --help, expected $minimum or more: has its format changed?"
    for flag in $flags; do expect_in "$flag" "$text" "$name"; done
    echo "$name: $count flags of $(basename "$program")${1:+ and its subcommands}"
}

check_program "$man_dir/man8/cardd.8" "$cardd" 9
check_program "$man_dir/man1/card-termsim.1" "$card_termsim" 20
"$cardctl" --help >"$work/help" 2>&1 || fail "cardctl --help failed"
mapfile -t top < <(subcommands_of_help <"$work/help")
[ ${#top[@]} -ge 10 ] || fail "only ${#top[@]} subcommands read from cardctl --help"
check_program "$man_dir/man1/cardctl.1" "$cardctl" 40 "${top[@]}"

render "$man_dir/man5/cardd.conf.5" "$work/cardd.conf.txt"
settings=$(sed -nE 's/^#? *([a-z_]+) *=.*/\1/p' "$example_conf" | sort -u)
[ "$(echo "$settings" | wc -l)" -ge 15 ] || fail "only a few settings read from $example_conf"
for key in $settings; do expect_in "$key" "$work/cardd.conf.txt" cardd.conf.5; done
echo "cardd.conf.5: $(echo "$settings" | wc -l) settings of $(basename "$example_conf")"

[ "$missing" -eq 0 ] || fail "$missing flags, subcommands or settings missing from the manuals"
echo "PASS"
