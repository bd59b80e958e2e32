#include "fpaudit/codec/convert.hpp"

#include <bit>
#include <cstring>

#include "fpaudit/codec/bulk_f32.hpp"
#include "fpaudit/codec/decode.hpp"
#include "fpaudit/format/registry.hpp"

namespace fpaudit {

Encoded convert(const FormatSpec& from, std::uint64_t bits, const FormatSpec& to,
                const ConvertOptions& opt, std::uint64_t index) {
  return encode(to, decode(from, bits, opt.subnormals.daz), opt, index);
}

namespace {
// DAZ for host inputs: a subnormal of the host format (binary64: exp -1074, sig < 2^52;
// binary32: exp -149, sig < 2^23) is read as a zero of the same sign.
ExactValue apply_daz(ExactValue v, bool daz, std::int32_t subnormal_exp, std::uint64_t hidden_bit) {
  if (daz && v.cls == ValueClass::finite && v.exp == subnormal_exp && v.sig < hidden_bit)
    return ExactValue::zero(v.negative);
  return v;
}
}  // namespace

Encoded convert_double(double x, const FormatSpec& to, const ConvertOptions& opt,
                       std::uint64_t index) {
  return encode(to, apply_daz(from_double(x), opt.subnormals.daz, -1074, 1ull << 52), opt, index);
}

Encoded convert_float(float x, const FormatSpec& to, const ConvertOptions& opt,
                      std::uint64_t index) {
  return encode(to, apply_daz(from_float(x), opt.subnormals.daz, -149, 1ull << 23), opt, index);
}

std::size_t storage_bytes(const FormatSpec& f) {
  const int w = f.width();
  return w <= 8 ? 1 : w <= 16 ? 2 : w <= 32 ? 4 : 8;
}

namespace {
const FormatSpec& binary32_spec() {
  static const FormatSpec f = format_by_name("binary32");
  return f;
}
std::uint64_t load(const unsigned char* p, std::size_t bytes) {
  std::uint64_t v = 0;
  std::memcpy(&v, p, bytes);  // little-endian host (x86-64)
  return v;
}
void store(unsigned char* p, std::size_t bytes, std::uint64_t v) { std::memcpy(p, &v, bytes); }
}  // namespace

Flags convert_span(const FormatSpec& from, const void* in, const FormatSpec& to, void* out,
                   std::size_t n, const ConvertOptions& opt, std::uint64_t first_index) {
  static_assert(std::endian::native == std::endian::little, "fpaudit assumes a little-endian host");
  if (from == binary32_spec() && bulk_f32_supported(to, opt)) {
    // The speed path (src/codec/simd/): bit-identical to the loop below, held so by
    // tests/test_bulk_f32.cpp. The copy-free cast needs 4-byte alignment; otherwise loop.
    if (reinterpret_cast<std::uintptr_t>(in) % alignof(std::uint32_t) == 0)
      return convert_f32_bulk(active_kernel(), to, static_cast<const std::uint32_t*>(in), out, n,
                              opt, first_index);
  }
  const std::size_t ib = storage_bytes(from), ob = storage_bytes(to);
  const auto* src = static_cast<const unsigned char*>(in);
  auto* dst = static_cast<unsigned char*>(out);
  Flags all;
  for (std::size_t i = 0; i < n; ++i) {
    const Encoded r = convert(from, load(src + i * ib, ib), to, opt, first_index + i);
    store(dst + i * ob, ob, r.bits);
    all |= r.flags;
  }
  return all;
}

}  // namespace fpaudit
