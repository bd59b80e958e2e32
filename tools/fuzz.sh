#!/usr/bin/env bash
# Builds the libFuzzer targets (clang-14, -fsanitize=fuzzer,address,undefined) in build-fuzz and
# runs each for SECONDS seconds, starting from its committed seed corpus tests/fuzz/corpus/<t>/.
# New inputs go to build-fuzz/corpus/<t>/ (the committed corpus is only read); a crash, leak,
# timeout or UB report stops that target, leaves its input in build-fuzz/artifacts/ and makes
# the script exit non-zero. Prints one summary line per target.
# Usage: tools/fuzz.sh [SECONDS] [TARGET...]     (default: 10 s each, every target)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
seconds="${1:-10}"
shift || true
build="${FPAUDIT_FUZZ_BUILD:-$root/build-fuzz}"
cxx="${CXX_FUZZ:-clang++-14}"
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER="$cxx" \
  -DFPAUDIT_BUILD_FUZZ=ON -DFPAUDIT_BUILD_TESTS=OFF "${launcher[@]}" >/dev/null
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=($(cd "$root/tests/fuzz/corpus" && ls))
fi
cmake --build "$build" -j "$(nproc)" --target "${targets[@]/#/fuzz_}"
mkdir -p "$build/artifacts"
export ASAN_OPTIONS="detect_leaks=1:allocator_may_return_null=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export TMPDIR="${TMPDIR:-/tmp}"
status=0
summary=()
for t in "${targets[@]}"; do
  mkdir -p "$build/corpus/$t"
  log="$build/fuzz_$t.log"
  # -rss_limit_mb / -malloc_limit_mb: an input that needs more memory is a finding (limits).
  if "$build/tests/fuzz/fuzz_$t" "$build/corpus/$t" "$root/tests/fuzz/corpus/$t" \
      -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=1024 \
      -max_len=65536 -print_final_stats=1 -artifact_prefix="$build/artifacts/$t-" >"$log" 2>&1; then
    result=ok
  else
    result="FAILED (see $log)"
    status=1
  fi
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
  seeds=$(ls "$root/tests/fuzz/corpus/$t" | wc -l)
  corpus=$(ls "$build/corpus/$t" | wc -l)
  summary+=("fuzz_$t: ${seconds}s, $runs executions, $seeds seeds, $corpus new corpus inputs: $result")
done
printf '%s\n' "${summary[@]}"
exit $status
