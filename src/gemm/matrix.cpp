#include "fpaudit/gemm/matrix.hpp"

#include <bit>
#include <map>
#include <memory>
#include <mutex>
#include <cstring>
#include <stdexcept>
#include <string>

#include "fpaudit/codec/convert.hpp"
#include "fpaudit/codec/decode.hpp"
#include "fpaudit/codec/exact_product.hpp"
#include "parallel.hpp"

namespace fpaudit::gemm {

ExactValue DecodedElement::value() const {
  switch (cls) {
    case ValueClass::zero: return ExactValue::zero(negative);
    case ValueClass::inf: return ExactValue::inf(negative);
    case ValueClass::nan: {
      ExactValue v = ExactValue::quiet_nan(negative);
      v.nan_payload = static_cast<std::uint64_t>(sig);
      v.signaling = signaling;
      return v;
    }
    case ValueClass::finite: break;
  }
  const std::uint64_t mag = sig < 0 ? 0 - static_cast<std::uint64_t>(sig) : static_cast<std::uint64_t>(sig);
  return ExactValue::finite(negative, mag, exp);
}

DecodedElement DecodedElement::from(const ExactValue& v) {
  DecodedElement d;
  d.cls = v.cls;
  d.negative = v.negative;
  if (v.cls == ValueClass::nan) {
    d.sig = static_cast<std::int64_t>(v.nan_payload);
    d.signaling = v.signaling;
  } else if (v.cls == ValueClass::finite) {
    std::uint64_t s = v.sig;
    int e = v.exp;
    const int tz = std::countr_zero(s);  // keep significands short: trailing zeros to the exponent
    s >>= tz;
    e += tz;
    if (s >> 62) throw std::invalid_argument("gemm: scaled element has more than 62 significant bits");
    d.sig = v.negative ? -static_cast<std::int64_t>(s) : static_cast<std::int64_t>(s);
    d.exp = e;
  }
  return d;
}

namespace {

std::uint64_t load_bits(const void* data, std::size_t bytes, std::size_t index) {
  const auto* p = static_cast<const unsigned char*>(data) + index * bytes;
  switch (bytes) {
    case 1: return p[0];
    case 2: { std::uint16_t v; std::memcpy(&v, p, 2); return v; }
    case 4: { std::uint32_t v; std::memcpy(&v, p, 4); return v; }
    default: { std::uint64_t v; std::memcpy(&v, p, 8); return v; }
  }
}

// Storage index of (r, c) in a rows x cols matrix with this layout and leading dimension.
std::size_t storage_index(Layout layout, std::size_t ld, std::size_t r, std::size_t c) {
  return layout == Layout::row_major ? r * ld + c : c * ld + r;
}

std::size_t effective_ld(Layout layout, std::size_t ld, std::size_t rows, std::size_t cols,
                         const char* what) {
  const std::size_t need = layout == Layout::row_major ? cols : rows;
  if (ld == 0) return need;
  if (ld < need)
    throw std::invalid_argument(std::string("gemm: leading dimension of ") + what + " (" +
                                std::to_string(ld) + ") is below " + std::to_string(need));
  return ld;
}

// The decoded entry of every pattern of a format of at most 16 bits, cached per (format, daz).
const std::vector<DecodedElement>& pattern_table(const FormatSpec& f, bool daz) {
  static std::mutex mutex;
  static std::map<std::string, std::unique_ptr<const std::vector<DecodedElement>>> cache;
  const std::string key = describe(f) + (daz ? "/daz" : "");
  std::lock_guard<std::mutex> lock(mutex);
  auto& slot = cache[key];
  if (!slot) {
    auto t = std::make_unique<std::vector<DecodedElement>>(std::size_t{1} << f.width());
    for (std::size_t b = 0; b < t->size(); ++b) (*t)[b] = DecodedElement::from(decode(f, b, daz));
    slot = std::move(t);
  }
  return *slot;
}

}  // namespace

std::uint64_t element_bits(const MatrixOperand& m, std::size_t rows, std::size_t cols,
                           std::size_t r, std::size_t c) {
  const std::size_t ld = effective_ld(m.layout, m.ld, rows, cols, "operand");
  return load_bits(m.data, storage_bytes(m.format), storage_index(m.layout, ld, r, c));
}

DecodedMatrix decode_operand(const MatrixOperand& m, std::size_t rows, std::size_t cols,
                             bool is_a, unsigned threads) {
  m.format.validate();
  const std::size_t ld = effective_ld(m.layout, m.ld, rows, cols, is_a ? "A" : "B");
  const std::size_t bytes = storage_bytes(m.format);
  DecodedMatrix out;
  out.rows = rows;
  out.cols = cols;

  // Formats of at most 16 bits decode through a table of every pattern (built once per format).
  std::vector<DecodedElement> table;
  if (m.format.width() <= 16) table = pattern_table(m.format, m.daz);
  // Block scales, decoded once (scale matrix: rows x nblk for A, nblk x cols for B).
  const BlockScales* bs = m.block_scales ? &*m.block_scales : nullptr;
  std::vector<ExactValue> scales;
  std::size_t nblk = 0;
  if (bs) {
    if (bs->block <= 0) throw std::invalid_argument("gemm: block scale size must be positive");
    bs->format.validate();
    const std::size_t k = is_a ? cols : rows;
    nblk = (k + bs->block - 1) / bs->block;
    const std::size_t sr = is_a ? rows : nblk, sc = is_a ? nblk : cols;
    const std::size_t sld = effective_ld(bs->layout, bs->ld, sr, sc, "block scales");
    const std::size_t sbytes = storage_bytes(bs->format);
    scales.resize(sr * sc);
    for (std::size_t r = 0; r < sr; ++r)
      for (std::size_t c = 0; c < sc; ++c)
        scales[r * sc + c] =
            decode(bs->format, load_bits(bs->data, sbytes, storage_index(bs->layout, sld, r, c)));
  }
  const unsigned t = detail::resolve_threads(threads);
  if (!table.empty() && !bs) {  // patterns and a table: 2 bytes per element
    out.table = std::move(table);
    out.codes.resize(rows * cols);
    const auto mask = static_cast<std::uint16_t>(m.format.mask());
    const auto* base = static_cast<const unsigned char*>(m.data);
    detail::parallel_ranges(rows, t, [&](std::size_t r0, std::size_t r1) {
      for (std::size_t r = r0; r < r1; ++r) {
        std::uint16_t* dst = out.codes.data() + r * cols;
        if (m.layout == Layout::row_major && bytes == 1) {  // the common cases, unrolled
          const unsigned char* src = base + r * ld;
          for (std::size_t c = 0; c < cols; ++c) dst[c] = static_cast<std::uint16_t>(src[c] & mask);
        } else if (m.layout == Layout::row_major && bytes == 2) {
          const unsigned char* src = base + 2 * r * ld;
          for (std::size_t c = 0; c < cols; ++c) {
            std::uint16_t v;
            std::memcpy(&v, src + 2 * c, 2);
            dst[c] = static_cast<std::uint16_t>(v & mask);
          }
        } else {
          for (std::size_t c = 0; c < cols; ++c)
            dst[c] = static_cast<std::uint16_t>(load_bits(m.data, bytes, storage_index(m.layout, ld, r, c)) & mask);
        }
      }
    });
    return out;
  }
  out.data.resize(rows * cols);
  detail::parallel_ranges(rows, t, [&](std::size_t r0, std::size_t r1) {
    for (std::size_t r = r0; r < r1; ++r) {
      for (std::size_t c = 0; c < cols; ++c) {
        const std::uint64_t b = load_bits(m.data, bytes, storage_index(m.layout, ld, r, c));
        DecodedElement& d = out.data[r * cols + c];
        if (!table.empty()) d = table[b & (table.size() - 1)];
        else d = DecodedElement::from(decode(m.format, b, m.daz));
        if (bs) {
          const std::size_t blk = (is_a ? c : r) / static_cast<std::size_t>(bs->block);
          const ExactValue& s = is_a ? scales[r * nblk + blk] : scales[blk * cols + c];
          d = DecodedElement::from(exact_product(d.value(), s));
        }
      }
    }
  });
  return out;
}

}  // namespace fpaudit::gemm
