// The GEMM stage's one threading helper: a static split of [0, n) into contiguous ranges, one
// std::thread each. Results never depend on the split (every caller writes disjoint outputs
// computed exactly, or in a fixed per-element order), so they do not depend on thread count.
#pragma once

#include <algorithm>
#include <cstddef>
#include <exception>
#include <thread>
#include <vector>

namespace fpaudit::gemm::detail {

inline unsigned resolve_threads(unsigned requested) {
  if (requested != 0) return requested;
  const unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : hw;
}

// Calls fn(begin, end) on `threads` contiguous pieces of [0, n), in parallel; rethrows the
// first exception (by piece order) after every thread has joined.
template <class Fn>
void parallel_ranges(std::size_t n, unsigned threads, Fn&& fn) {
  const std::size_t pieces = std::min<std::size_t>(std::max(1u, threads), std::max<std::size_t>(n, 1));
  if (pieces <= 1) {
    if (n > 0) fn(std::size_t{0}, n);
    return;
  }
  std::vector<std::exception_ptr> errors(pieces);
  std::vector<std::thread> pool;
  pool.reserve(pieces - 1);
  auto run = [&](std::size_t p) {
    const std::size_t b = n * p / pieces, e = n * (p + 1) / pieces;
    try {
      if (b < e) fn(b, e);
    } catch (...) {
      errors[p] = std::current_exception();
    }
  };
  for (std::size_t p = 1; p < pieces; ++p) pool.emplace_back(run, p);
  run(0);
  for (auto& t : pool) t.join();
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
}

}  // namespace fpaudit::gemm::detail
