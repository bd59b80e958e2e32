// A progress line on stderr for the audit: shown only when stderr is a terminal and the run has
// taken more than a second, so pipes, CI logs and quick runs stay clean.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "audit_input.hpp"

namespace fpaudit::cli {

class Progress {
 public:
  Progress(const std::vector<AuditInput>& inputs, bool quiet);
  void begin(const audit::TensorMeta& t);
  void end(const audit::TensorMeta& t);
  void within(std::uint64_t elements_done);  // inside the current tensor
  void finish();

 private:
  void draw(const std::string& current);
  bool enabled_;
  std::uint64_t total_ = 0, done_ = 0;
  std::chrono::steady_clock::time_point start_;
  bool drawn_ = false;
  std::string current_;
};

}  // namespace fpaudit::cli
