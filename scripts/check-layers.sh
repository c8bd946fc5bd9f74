#!/usr/bin/env bash
# Holds each library to what it may use, by its #include lines: the folder
# names the library, the list names the only folders (or files) outside it
# that it may include. A driver that included the store, or the control
# socket that included a command handler, fails here with the file and line.
set -euo pipefail
cd "$(dirname "$0")/.."

# folder | what else it may include (prefixes of the quoted include path)
rules=(
    "protocol/|"
    "text/|"
    "store/|protocol/ text/"
    "daemon/async/|"
    "daemon/terminal/|protocol/"
    "daemon/encoder/|protocol/"
    "daemon/control/|daemon/async/ daemon/log.hpp daemon/log_catalogue.hpp store/ protocol/ text/"
    "daemon/metrics/|"
    "tools/cardctl/|protocol/"
    "tools/termsim/|protocol/"
    "tools/console/|text/"
)

failed=0
for rule in "${rules[@]}"; do
    folder=${rule%%|*}
    allowed="$folder ${rule#*|}"
    [ -d "$folder" ] || { echo "check-layers: $folder does not exist" >&2; exit 1; }
    while IFS= read -r hit; do
        file=${hit%%:*}
        rest=${hit#*:}
        line=${rest%%:*}
        path=$(sed -E 's/^[^"]*"([^"]+)".*$/\1/' <<<"${rest#*:}")
        ok=0
        for prefix in $allowed; do
            [[ $path == "$prefix"* ]] && { ok=1; break; }
        done
        if [ $ok -eq 0 ]; then
            echo "$file:$line: $folder may not include \"$path\"; it may use only: $allowed" >&2
            failed=1
        fi
    done < <(grep -rnE '^\s*#\s*include\s+"' "$folder" || true)
done

# The command handlers sit at the top: only cardd's main registers them.
while IFS= read -r hit; do
    file=${hit%%:*}
    case $file in
        daemon/commands/*|daemon/main.cpp|tests/*) ;;
        *) echo "${hit%%:*}:$(cut -d: -f2 <<<"$hit"): only daemon/main.cpp may include the command handlers" >&2; failed=1 ;;
    esac
done < <(grep -rnE '^\s*#\s*include\s+"daemon/commands/' daemon tools store protocol tests || true)

[ $failed -eq 0 ] || exit 1
echo "check-layers: every library includes only what it may use"
