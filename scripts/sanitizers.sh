#!/usr/bin/env bash
# The sanitizer runs (`make sanitize`, and .ci/run after `make check`):
#   1. cardd, its tools and its tests built with AddressSanitizer and
#      UndefinedBehaviorSanitizer, and every suite run under them but the
#      fuzzers (which run sanitized in `make check` already), the benchmarks,
#      the crash loop's long count, the browser and the package;
#   2. ThreadSanitizer over what runs on several threads at once: the worker
#      pool and the other async parts, the distributor, and the control server
#      with the command registry.
# A report fails the run. Every sanitized process, cardd and card-termsim
# started by a test as much as a test program, writes its reports to a file
# under REPORTS (log_path), so a report of a daemon that a test stopped is not
# lost in a log nobody reads: any file there at the end is a failure, and its
# content is printed.
set -euo pipefail
cd "$(dirname "$0")/.."

jobs=${JOBS:-$(nproc)}
root=${SANITIZE_BUILD:-build}
reports=$(realpath -m "$root/sanitizer-reports")
rm -rf "$reports"
# Tests run cardd and clients as other users too: all of them may write here.
mkdir -p "$reports"
chmod 1777 "$reports"

# -O0 with line tables: the instrumented build compiles in half the time of
# -O1 (UndefinedBehaviorSanitizer's checks are costly to optimise), the suites
# wait on sockets and processes more than they compute, and the reports keep
# their file and line.
flags="-O0 -g1"
export ASAN_OPTIONS="log_path=$reports/asan:detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1:abort_on_error=0"
export UBSAN_OPTIONS="log_path=$reports/ubsan:print_stacktrace=1"
export TSAN_OPTIONS="log_path=$reports/tsan:second_deadlock_stack=1:suppressions=$PWD/scripts/sanitizer/tsan.supp"
export LSAN_OPTIONS="suppressions=$PWD/scripts/sanitizer/lsan.supp:print_suppressions=0"

configure() {
    local dir=$1
    shift
    cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=None -DCMAKE_C_FLAGS="$flags" -DCMAKE_CXX_FLAGS="$flags" \
        ${CI:+-DCARDD_WERROR=ON} "$@"
}

failed=0
step() {
    echo "== sanitizers: $*"
}

step "AddressSanitizer and UndefinedBehaviorSanitizer: build"
configure "$root/asan" -DCARDD_SANITIZE=ON
cmake --build "$root/asan" -j "$jobs"
step "AddressSanitizer and UndefinedBehaviorSanitizer: the suites"
ctest --test-dir "$root/asan" --output-on-failure -j "$jobs" --no-tests=error \
    -LE '^(style)$' || failed=1

step "ThreadSanitizer: build"
tsan_targets=(async_test daemon_core_test control_server_test command_registry_test console_test)
configure "$root/tsan" -DCARDD_SANITIZE_THREAD=ON
cmake --build "$root/tsan" -j "$jobs" --target "${tsan_targets[@]}"
step "ThreadSanitizer: the worker pool, the distributor and the control server"
ctest --test-dir "$root/tsan" --output-on-failure -j "$jobs" --no-tests=error \
    -R '^daemon_(async|core|control_server|command_registry|console)$' || failed=1

shopt -s nullglob
found=("$reports"/*)
if ((${#found[@]} > 0)); then
    for report in "${found[@]}"; do
        echo "== sanitizer report $report"
        cat "$report"
    done
    echo "sanitizers: ${#found[@]} report(s); see above" >&2
    failed=1
fi
if ((failed)); then
    echo "sanitizers: FAILED" >&2
    exit 1
fi
echo "sanitizers: no report, every suite passed"
