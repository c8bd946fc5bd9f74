#!/usr/bin/env bash
# Checks that every C and C++ file of the tree is laid out as .clang-format
# says. With --fix, rewrites them instead. The version is pinned: another
# clang-format lays the same code out a little differently.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
format=${CLANG_FORMAT:-clang-format-14}
command -v "$format" >/dev/null || { echo "check-format: $format is not installed (make deps)" >&2; exit 1; }
cd "$top"
mapfile -d '' files < <(find daemon protocol store tools tests bench -type f \
    \( -name '*.cpp' -o -name '*.hpp' -o -name '*.c' -o -name '*.h' \) -not -path 'tests/fuzz/corpus/*' -print0 \
    2>/dev/null | sort -z)
[ ${#files[@]} -gt 0 ] || { echo "check-format: no source files found under $top" >&2; exit 1; }
if [ "${1:-}" = "--fix" ]; then
    "$format" -i --style=file "${files[@]}"
    exit 0
fi
if ! "$format" --dry-run --Werror --style=file "${files[@]}"; then
    echo "check-format: the files above do not follow .clang-format; run scripts/check-format.sh --fix" >&2
    exit 1
fi
echo "check-format: ${#files[@]} files follow .clang-format"
