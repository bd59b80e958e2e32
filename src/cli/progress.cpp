#include "progress.hpp"

#include <algorithm>
#include <cstdio>
#include <unistd.h>

namespace fpaudit::cli {

Progress::Progress(const std::vector<AuditInput>& inputs, bool quiet)
    : enabled_(!quiet && ::isatty(STDERR_FILENO)), start_(std::chrono::steady_clock::now()) {
  for (const auto& in : inputs)
    if (in.auditable) total_ += in.meta.count;
}

void Progress::draw(const std::string& current) {
  if (!enabled_ || std::chrono::steady_clock::now() - start_ < std::chrono::seconds(1)) return;
  const double frac = total_ ? std::min(1.0, double(done_) / double(total_)) : 1.0;
  const int width = 30, filled = static_cast<int>(frac * width);
  std::fprintf(stderr, "\r[%.*s%*s] %5.1f%% %-40.40s", filled, "##############################", width - filled, "",
               100 * frac, current.c_str());
  std::fflush(stderr);
  drawn_ = true;
}

void Progress::begin(const audit::TensorMeta& t) {
  current_ = t.name;
  draw(current_);
}

void Progress::within(std::uint64_t elements_done) {
  const std::uint64_t saved = done_;
  done_ += elements_done;
  draw(current_);
  done_ = saved;
}

void Progress::end(const audit::TensorMeta& t) {
  done_ += t.count;
  draw(t.name);
}

void Progress::finish() {
  if (drawn_) std::fprintf(stderr, "\r%*s\r", 80, "");
}

}  // namespace fpaudit::cli
