// The hardware check: blocks of inputs go through the path, then each output is compared with
// the IEEE reference and the documented-semantics reference. Threads take blocks from a shared
// counter; tallies are per thread and merged at the end, and examples are the mismatches at the
// smallest input positions, so the result does not depend on the thread count.
#include "fpaudit/hw/check.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <exception>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>

#include "fpaudit/codec/convert.hpp"
#include "fpaudit/format/registry.hpp"
#include "fpaudit/hw/f32_reference.hpp"
#include "fpaudit/hw/input_set.hpp"

namespace fpaudit::hw {

std::string_view to_string(MismatchClass c) {
  switch (c) {
    case MismatchClass::input_denormal_as_zero:
      return "input_denormal_as_zero";
    case MismatchClass::output_flushed_to_zero:
      return "output_flushed_to_zero";
    case MismatchClass::nan_quieting:
      return "nan_quieting";
    case MismatchClass::nan_payload:
      return "nan_payload";
    case MismatchClass::rounding_direction:
      return "rounding_direction";
    case MismatchClass::saturation:
      return "saturation";
    case MismatchClass::other:
      return "other";
  }
  return "?";
}

namespace {

// classify_mismatch with the per-format facts computed once: a kind byte per target pattern
// for targets of at most 16 bits (exhaustive runs classify up to ~10^9 mismatches), the
// FormatSpec predicates otherwise.
class Classifier {
 public:
  Classifier(const FormatSpec& from, const FormatSpec& to)
      : to_(to),
        zero_pos_(convert(from, 0, to, ConvertOptions{}).bits),
        zero_neg_(convert(from, from.sign_bit(), to, ConvertOptions{}).bits),
        min_normal_(to.has_subnormals ? std::uint64_t{1} << to.mantissa_bits
                                      : to.min_positive_bits()),
        max_(to.max_finite_bits()),
        mag_mask_(to.magnitude_mask()),
        from_sign_(from.sign_bit()),
        from_mag_mask_(from.magnitude_mask()),
        from_min_normal_(from.has_subnormals ? std::uint64_t{1} << from.mantissa_bits : 0) {
    if (to.width() <= 16) {
      kinds_.resize(std::size_t{1} << to.width());
      for (std::size_t b = 0; b < kinds_.size(); ++b) kinds_[b] = compute_kind(b);
    }
  }

  MismatchClass operator()(std::uint64_t input, std::uint64_t expected, std::uint64_t got) const {
    const unsigned ke = kind(expected), kg = kind(got);
    const bool e_nan = ke & kNan, g_nan = kg & kNan, e_inf = ke & kInf, g_inf = kg & kInf;
    if (e_nan && g_nan)
      return (ke & kSignaling) != (kg & kSignaling) ? MismatchClass::nan_quieting
                                                    : MismatchClass::nan_payload;
    const std::uint64_t zero = (input & from_sign_) ? zero_neg_ : zero_pos_;
    const std::uint64_t in_mag = input & from_mag_mask_;
    if (got == zero && in_mag != 0 && in_mag < from_min_normal_)
      return MismatchClass::input_denormal_as_zero;
    if (((e_nan || e_inf) && !g_nan && !g_inf && (got & mag_mask_) == max_) ||
        ((g_nan || g_inf) && !e_nan && !e_inf && (expected & mag_mask_) == max_))
      return MismatchClass::saturation;
    if (!e_nan && !g_nan && !e_inf && !g_inf && to_.is_negative(expected) == to_.is_negative(got)) {
      const std::uint64_t a = expected & mag_mask_, b = got & mag_mask_;
      if (a + 1 == b || b + 1 == a) return MismatchClass::rounding_direction;
    }
    if (got == zero && !e_nan && !e_inf && !(ke & kZero) &&
        ((ke & kSubnormal) || (expected & mag_mask_) == min_normal_))
      return MismatchClass::output_flushed_to_zero;
    return MismatchClass::other;
  }

 private:
  enum : unsigned { kNan = 1, kSignaling = 2, kInf = 4, kZero = 8, kSubnormal = 16 };

  unsigned compute_kind(std::uint64_t b) const {
    unsigned k = 0;
    if (to_.is_nan(b)) k |= kNan | (to_.is_signaling_nan(b) ? unsigned{kSignaling} : 0u);
    if (to_.is_inf(b)) k |= kInf;
    if (to_.is_zero(b)) k |= kZero;
    if (to_.is_subnormal(b)) k |= kSubnormal;
    return k;
  }
  unsigned kind(std::uint64_t b) const {
    return kinds_.empty() ? compute_kind(b) : kinds_[b & (kinds_.size() - 1)];
  }

  FormatSpec to_;
  std::uint64_t zero_pos_, zero_neg_, min_normal_, max_, mag_mask_;
  std::uint64_t from_sign_, from_mag_mask_, from_min_normal_;
  std::vector<std::uint8_t> kinds_;
};

std::string hex(std::uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llX", static_cast<unsigned long long>(v));
  return buf;
}

// One configured reference: fpaudit::convert under `opt`, with the path's NaN rule where given;
// binary32 sources optionally through F32Narrowing (exhaustive runs), whose results
// compare_block confirms against fpaudit::convert on a sample, on every mismatch with the
// documented semantics and on every reported example.
class Reference {
 public:
  // magnitude: convert |x| of non-NaN inputs (ConversionPath::documented_reads_magnitude).
  Reference(const FormatSpec& from, const FormatSpec& to, const ConvertOptions& opt,
            std::uint64_t (*nan_rule)(std::uint64_t), bool magnitude, bool allow_fast)
      : from_(from), to_(to), opt_(opt), nan_rule_(nan_rule), magnitude_(magnitude) {
    static const FormatSpec binary32 = format_by_name("binary32");
    if (allow_fast && from == binary32 && F32Narrowing::supports(to, opt)) fast_.emplace(to, opt);
  }

  bool fast() const { return fast_.has_value(); }

  std::uint64_t operator()(std::uint64_t in) const {
    if (fast_) {
      const bool nan = (in & 0x7FFFFFFFu) > 0x7F800000u;
      if (nan_rule_ && nan) return nan_rule_(in);
      if (magnitude_ && !nan) in &= 0x7FFFFFFFu;
      return (*fast_)(static_cast<std::uint32_t>(in));
    }
    return slow(in);
  }

  // The fast result confirmed by fpaudit::convert; throws std::logic_error on a disagreement
  // (a bug in F32Narrowing: the check would otherwise report wrong numbers).
  void confirm(std::uint64_t in, std::uint64_t fast_result) const {
    const std::uint64_t s = slow(in);
    if (s != fast_result)
      throw std::logic_error("F32Narrowing disagrees with fpaudit::convert for binary32 input " +
                             hex(in) + " -> " + to_.name + ": " + hex(fast_result) + " vs " +
                             hex(s));
  }

 private:
  std::uint64_t slow(std::uint64_t in) const {
    const bool nan = from_.is_nan(in);
    if (nan_rule_ && nan) return nan_rule_(in);
    if (magnitude_ && !nan) in &= ~from_.sign_bit();
    return convert(from_, in, to_, opt_).bits;
  }

  const FormatSpec& from_;
  const FormatSpec& to_;
  ConvertOptions opt_;
  std::uint64_t (*nan_rule_)(std::uint64_t);
  bool magnitude_;
  std::optional<F32Narrowing> fast_;
};

bool same_semantics(const ConvertOptions& a, const ConvertOptions& b) {
  return a.rounding == b.rounding && a.overflow == b.overflow &&
         a.subnormals.daz == b.subnormals.daz && a.subnormals.ftz == b.subnormals.ftz &&
         a.tininess == b.tininess && a.nan.canonical == b.nan.canonical &&
         (a.rounding != Rounding::sr || (a.sr_bits == b.sr_bits && a.seed == b.seed));
}

// Mismatch tally of one thread; examples carry their input position for the merge.
struct Tally {
  std::uint64_t total = 0;
  std::array<std::uint64_t, kMismatchClassCount> by_class{};
  std::array<std::vector<std::pair<std::uint64_t, MismatchExample>>, kMismatchClassCount>
      examples{};

  void add(MismatchClass c, std::uint64_t position, const MismatchExample& ex, std::size_t keep) {
    ++total;
    const int i = static_cast<int>(c);
    ++by_class[i];
    if (examples[i].size() < keep) examples[i].emplace_back(position, ex);
  }
};

MismatchTally merge(std::vector<Tally>& tallies, std::size_t keep) {
  MismatchTally out;
  for (int c = 0; c < kMismatchClassCount; ++c) {
    std::vector<std::pair<std::uint64_t, MismatchExample>> all;
    for (Tally& t : tallies) {
      out.by_class[c] += t.by_class[c];
      all.insert(all.end(), t.examples[c].begin(), t.examples[c].end());
    }
    std::sort(all.begin(), all.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    for (std::size_t i = 0; i < all.size() && i < keep; ++i)
      out.examples[c].push_back(all[i].second);
  }
  for (Tally& t : tallies) out.total += t.total;
  return out;
}

// Where the inputs come from: a list, or (empty list) the integers 0 .. total-1.
struct Inputs {
  std::span<const std::uint64_t> list;
  std::uint64_t total = 0;
  std::uint64_t at(std::uint64_t i) const { return list.empty() ? i : list[i]; }
};

struct Job {
  const ConversionPath& path;
  const Inputs& inputs;
  const Reference& ieee;
  const Reference& documented;
  bool same;  // documented == IEEE: one reference computation per input
  const Classifier& classify;
  const CheckOptions& opt;
};

// Whether the tally still wants an example of class c (its first slots decide the examples).
bool wants_example(const Tally& t, MismatchClass c, std::size_t keep) {
  return t.examples[static_cast<int>(c)].size() < keep;
}

template <class In, class Out>
void compare_block(const Job& job, std::uint64_t first, std::size_t n, const In* in, const Out* out,
                   Tally& vs_ieee, Tally& vs_doc) {
  const std::size_t keep = job.opt.examples_per_class;
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint64_t x = in[i], got = out[i], position = first + i;
    const std::uint64_t e = job.ieee(x);
    const std::uint64_t d = job.same ? e : job.documented(x);
    // A fast reference is confirmed against fpaudit::convert on one input in 1024, on every
    // mismatch with the documented semantics (a finding) and on every reported example.
    const bool sample = (position & 1023) == 0;
    if (sample) {
      if (job.ieee.fast()) job.ieee.confirm(x, e);
      if (!job.same && job.documented.fast()) job.documented.confirm(x, d);
    }
    if (got != e) {
      const MismatchClass c = job.classify(x, e, got);
      if (!sample && job.ieee.fast() && wants_example(vs_ieee, c, keep)) job.ieee.confirm(x, e);
      vs_ieee.add(c, position, {x, e, got}, keep);
    }
    if (got != d) {
      if (!sample && job.documented.fast()) job.documented.confirm(x, d);
      vs_doc.add(job.classify(x, d, got), position, {x, d, got}, keep);
    }
  }
}

template <class In, class Out>
void worker(const Job& job, std::atomic<std::uint64_t>& next_block, Tally& vs_ieee, Tally& vs_doc) {
  const std::size_t block = job.opt.block;
  std::vector<In> in(block);
  std::vector<Out> out(block);
  for (;;) {
    const std::uint64_t first = next_block.fetch_add(1) * block;
    if (first >= job.inputs.total) return;
    const std::size_t n =
        static_cast<std::size_t>(std::min<std::uint64_t>(block, job.inputs.total - first));
    for (std::size_t i = 0; i < n; ++i) in[i] = static_cast<In>(job.inputs.at(first + i));
    job.path.run(in.data(), out.data(), n);
    compare_block(job, first, n, in.data(), out.data(), vs_ieee, vs_doc);
  }
}

using WorkerFn = void (*)(const Job&, std::atomic<std::uint64_t>&, Tally&, Tally&);

template <class In>
WorkerFn pick_worker(std::size_t out_bytes) {
  switch (out_bytes) {
    case 1:
      return worker<In, std::uint8_t>;
    case 2:
      return worker<In, std::uint16_t>;
    case 4:
      return worker<In, std::uint32_t>;
    default:
      return worker<In, std::uint64_t>;
  }
}

WorkerFn pick_worker(std::size_t in_bytes, std::size_t out_bytes) {
  switch (in_bytes) {
    case 1:
      return pick_worker<std::uint8_t>(out_bytes);
    case 2:
      return pick_worker<std::uint16_t>(out_bytes);
    case 4:
      return pick_worker<std::uint32_t>(out_bytes);
    default:
      return pick_worker<std::uint64_t>(out_bytes);
  }
}

CheckResult run_check(const ConversionPath& p, const Inputs& inputs, const CheckOptions& opt,
                      bool fast) {
  std::string why;
  if (!path_available(p, &why))
    throw std::invalid_argument("path " + p.name + " is unavailable here: " + why);
  if (opt.block == 0) throw std::invalid_argument("hw check: block size must be positive");
  const auto start = std::chrono::steady_clock::now();

  const ConvertOptions ieee_opt{};
  const Reference ieee(p.from, p.to, ieee_opt, nullptr, false, fast);
  const Reference documented(p.from, p.to, p.documented, p.documented_nan,
                             p.documented_reads_magnitude, fast);
  const Classifier classify(p.from, p.to);
  const bool same = p.documented_nan == nullptr && !p.documented_reads_magnitude &&
                    same_semantics(ieee_opt, p.documented);
  const Job job{p, inputs, ieee, documented, same, classify, opt};

  const unsigned threads = std::clamp(opt.threads, 1u, 256u);
  std::vector<Tally> t_ieee(threads), t_doc(threads);
  std::atomic<std::uint64_t> next_block{0};
  const WorkerFn work = pick_worker(storage_bytes(p.from), storage_bytes(p.to));
  std::exception_ptr error;
  std::mutex error_mutex;
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      try {
        work(job, next_block, t_ieee[t], t_doc[t]);
      } catch (...) {
        std::lock_guard<std::mutex> lock(error_mutex);
        if (!error) error = std::current_exception();
        next_block.store(~std::uint64_t{0} / 2 / opt.block);  // stop the others
      }
    });
  for (std::thread& th : pool) th.join();
  if (error) std::rethrow_exception(error);

  CheckResult r;
  r.path = p.name;
  r.inputs = inputs.total;
  r.vs_ieee = merge(t_ieee, opt.examples_per_class);
  r.vs_documented = merge(t_doc, opt.examples_per_class);
  r.fast_reference = ieee.fast() || documented.fast();
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r;
}

}  // namespace

MismatchClass classify_mismatch(const FormatSpec& from, std::uint64_t input, const FormatSpec& to,
                                std::uint64_t expected, std::uint64_t got) {
  // The classifier of the last (from, to) pair is kept per thread: building one tabulates every
  // target pattern, and callers (the arithmetic check) classify many mismatches of one pair.
  struct Cached {
    FormatSpec from, to;
    Classifier classify;
  };
  thread_local std::optional<Cached> cache;
  if (!cache || !(cache->from == from) || !(cache->to == to))
    cache.emplace(Cached{from, to, Classifier(from, to)});
  return cache->classify(input, expected, got);
}

CheckResult check_path_on(const ConversionPath& p, std::span<const std::uint64_t> inputs,
                          const CheckOptions& opt) {
  CheckResult r = run_check(p, Inputs{inputs, inputs.size()}, opt, /*fast=*/false);
  r.input_set = std::to_string(inputs.size()) + " given inputs";
  return r;
}

CheckResult check_path(const ConversionPath& p, const CheckOptions& opt) {
  if (opt.exhaustive && !source_is_enumerable(p.from)) {
    static const FormatSpec binary32 = format_by_name("binary32");
    if (!(p.from == binary32))
      throw std::invalid_argument("--exhaustive: " + p.name + " reads " + p.from.name +
                                  "; only binary32 sources (2^32 patterns) can be enumerated");
    CheckResult r = run_check(p, Inputs{{}, std::uint64_t{1} << 32}, opt, /*fast=*/true);
    r.input_set = "all 2^32 binary32 patterns";
    return r;
  }
  if (source_is_enumerable(p.from)) {
    CheckResult r = run_check(p, Inputs{{}, std::uint64_t{1} << p.from.width()}, opt, false);
    r.input_set = describe_check_inputs(p.from, p.to);
    return r;
  }
  const std::vector<std::uint64_t> inputs = check_inputs(p.from, p.to);
  CheckResult r = run_check(p, Inputs{inputs, inputs.size()}, opt, false);
  r.input_set = describe_check_inputs(p.from, p.to);
  return r;
}

}  // namespace fpaudit::hw
