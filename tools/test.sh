#!/usr/bin/env bash
# Configures, builds and runs the default test suite (everything but the `long` label).
# Usage: tools/test.sh [build-dir]    (the README's second command runs this)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build}"
jobs="$(nproc)"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j "$jobs"
cd "$build"
ctest -LE long -j "$jobs" --output-on-failure
