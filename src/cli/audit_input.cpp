#include "audit_input.hpp"

#include <bit>
#include <cstring>
#include <filesystem>
#include <memory>
#include <sstream>

#include "commands.hpp"
#include "fpaudit/codec/decode.hpp"
#include "fpaudit/format/registry.hpp"
#include "fpaudit/io/readers.hpp"

namespace fpaudit::cli {
namespace {

constexpr std::size_t kReadChunk = 1 << 16;

// Bit patterns of a stored float dtype -> binary64 values (exact). binary32/64 are bit casts;
// narrower formats go through a table built once from the codec's exact decode.
class Decoder {
 public:
  explicit Decoder(const FormatSpec& f) : f_(f) {
    if (f.width() <= 16) {
      table_ = std::make_shared<std::vector<double>>(std::size_t{1} << f.width());
      for (std::uint64_t b = 0; b < table_->size(); ++b) (*table_)[b] = to_double(f, b);
    }
  }
  void operator()(std::span<const std::uint64_t> bits, std::vector<double>& out) const {
    out.resize(bits.size());
    if (table_) {
      for (std::size_t i = 0; i < bits.size(); ++i) out[i] = (*table_)[bits[i]];
    } else if (f_.width() == 32 && f_.exponent_bits == 8) {
      for (std::size_t i = 0; i < bits.size(); ++i)
        out[i] = static_cast<double>(std::bit_cast<float>(static_cast<std::uint32_t>(bits[i])));
    } else if (f_.width() == 64 && f_.exponent_bits == 11) {
      for (std::size_t i = 0; i < bits.size(); ++i) out[i] = std::bit_cast<double>(bits[i]);
    } else {
      for (std::size_t i = 0; i < bits.size(); ++i) out[i] = to_double(f_, bits[i]);
    }
  }

 private:
  FormatSpec f_;
  std::shared_ptr<std::vector<double>> table_;
};

AuditInput make_input(const io::TensorView& view) {
  AuditInput in;
  const io::DTypeInfo& info = io::dtype_info(view.dtype);
  in.meta.file = view.file;
  in.meta.name = view.name;
  in.meta.dtype = std::string(info.name);
  in.meta.shape = view.shape;
  in.meta.count = view.count;
  in.meta.row_length = io::contiguous_run(view);
  in.auditable = info.auditable && !info.format.empty();
  if (!in.auditable) return in;
  const Decoder decode(format_by_name(info.format));
  in.values = [view, decode](const audit::ValueSink& sink) {
    std::vector<double> values;
    io::for_each_chunk(view, kReadChunk, [&](const io::Chunk& c) {
      decode(c.bits, values);
      sink(values);
    });
  };
  if (view.dtype == io::DType::f32 && !view.compressed && view.member.empty()) {
    const bool swap = (view.byte_order == io::ByteOrder::big) != (std::endian::native == std::endian::big);
    in.binary32 = [view, swap](std::uint64_t first, std::size_t n, std::uint32_t* dst) {
      io::copy_elements(view, first, n, dst);
      if (swap)
        for (std::size_t i = 0; i < n; ++i) dst[i] = __builtin_bswap32(dst[i]);
    };
    in.binary32_done = [view](std::uint64_t first, std::uint64_t end) {
      io::release_elements(view, first, end);
    };
  }
  return in;
}

std::vector<std::uint64_t> parse_shape(const std::string& s) {
  std::vector<std::uint64_t> dims;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, ',')) {
    std::uint64_t v = 0;
    std::size_t used = 0;
    try {
      v = std::stoull(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != item.size() || item[0] == '-')
      throw UsageError("--shape \"" + s + "\": expected comma-separated non-negative integers, got \"" + item + "\"");
    dims.push_back(v);
  }
  if (dims.empty()) throw UsageError("--shape: expected at least one dimension");
  return dims;
}

void add_file(const io::TensorFile& file, std::vector<AuditInput>& out) {
  for (const io::TensorView& v : file.tensors) {
    out.push_back(make_input(v));
    if (file.metadata) out.back().meta.metadata = *file.metadata;
  }
}

}  // namespace

std::vector<AuditInput> collect_inputs(const std::vector<std::string>& paths, const RawArgs& raw,
                                       std::vector<report::FileError>& errors) {
  std::vector<AuditInput> out;
  const bool tolerate = paths.size() > 1;
  auto guarded = [&](const std::string& path, bool tolerant, const auto& read) {
    try {
      read();
    } catch (const io::InputError& e) {
      if (!tolerant) throw;
      errors.push_back({path, e.what()});
    }
  };
  for (const std::string& arg : paths) {
    if (!raw.dtype.empty()) {
      io::RawSpec spec;
      spec.dtype = raw.dtype;
      spec.offset = raw.offset;
      if (!raw.shape.empty()) spec.shape = parse_shape(raw.shape);
      guarded(arg, tolerate, [&] { add_file(io::read_raw(arg, spec), out); });
      continue;
    }
    const io::Selector sel = io::parse_selector(arg);
    if (sel.directory) {
      for (const std::string& file : io::find_supported_files(sel.path))
        guarded(file, true, [&] { add_file(io::read_file(file), out); });
    } else if (sel.tensor) {
      guarded(arg, tolerate, [&] {
        const io::TensorFile file = io::read_file(sel.path);
        out.push_back(make_input(io::find_tensor(file, *sel.tensor)));
        if (file.metadata) out.back().meta.metadata = *file.metadata;
      });
    } else {
      guarded(arg, tolerate, [&] { add_file(io::read_file(sel.path), out); });
    }
  }
  return out;
}

}  // namespace fpaudit::cli
