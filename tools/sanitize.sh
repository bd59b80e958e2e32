#!/usr/bin/env bash
# Builds the whole project with AddressSanitizer + UndefinedBehaviorSanitizer (g++,
# -DFPAUDIT_SANITIZE=ON) in build-asan and runs the default test suite (ctest -LE long) there.
# Any sanitizer report aborts the test that triggered it (-fno-sanitize-recover=all).
# Usage: tools/sanitize.sh [build-dir]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build-asan}"
jobs="$(nproc)"
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFPAUDIT_SANITIZE=ON \
  "${launcher[@]}" >/dev/null
cmake --build "$build" -j "$jobs"
# detect_leaks: LeakSanitizer on; halt_on_error: the first report fails the test.
export ASAN_OPTIONS="detect_leaks=1:halt_on_error=1:abort_on_error=0:strict_string_checks=1:detect_stack_use_after_return=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
cd "$build"
ctest -LE long -j "$jobs" --output-on-failure
