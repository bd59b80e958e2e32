#!/usr/bin/env bash
# Configures, builds and runs the default test suite (everything but the `long` label).
# Usage: tools/test.sh [build-dir]    (the README's second command runs this)
# The `gpu`-labelled device tests (tests/gpu_*.cpp) run first, on their own: without a GPU each
# skips with its reason, and the list of those skips stays out of the last lines, so the output
# ends with ctest's summary line of the main suite.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build}"
jobs="$(nproc)"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j "$jobs"
cd "$build"
if [ "$(ctest -N -L gpu | sed -n 's/^Total Tests: //p')" != "0" ]; then
  ctest -L gpu -j "$jobs" --output-on-failure
fi
ctest -LE 'long|gpu' -j "$jobs" --output-on-failure
