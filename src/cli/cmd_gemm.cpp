// `fpaudit gemm`: the exact (correctly rounded) GEMM of two matrices read from .npy/.npz/
// .safetensors files, and, given a kernel's output C, how far C is from it and which
// accumulation model reproduces C bit for bit. docs/GEMM.md 4-5 is the contract (options, text
// output, JSON schema fpaudit.gemm/1).
#include <CLI/CLI.hpp>
#include <algorithm>
#include <bit>
#include <map>
#include <cmath>
#include <cstring>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "commands.hpp"
#include "fpaudit/hw/gemm_path.hpp"
#include "conversion_options.hpp"
#include "fpaudit/codec/convert.hpp"
#include "fpaudit/codec/decode.hpp"
#include "fpaudit/codec/text.hpp"
#include "fpaudit/format/registry.hpp"
#include "fpaudit/gemm/exact_gemm.hpp"
#include "fpaudit/gemm/models.hpp"
#include "fpaudit/io/readers.hpp"
#include "fpaudit/report/output_file.hpp"
#include "gemm_models_cli.hpp"
#include "table.hpp"

namespace fpaudit::cli {
namespace {

struct GemmArgs {
  std::string a, b, c;
  std::string in_format, out_format, acc_format;
  std::string a_layout = "row", b_layout = "row";
  std::vector<std::string> models;
  std::string write_ref, json;
  ConversionArgs conv;
  unsigned threads = 0;
  std::uint64_t sample = 0;
  std::string backend = "auto";
  std::string a_scales, b_scales, scale_format = "float8_e8m0fnu";
  int block = 32;
  std::string a_tensor_scale, b_tensor_scale;
  std::string path;  // --path: a GEMM path (include/fpaudit/hw/gemm_path.hpp) computes C
  bool compare_models = false;
};

// A matrix read from a file: element containers of `format`, in the file's storage order.
struct Loaded {
  std::string file, tensor;
  std::vector<std::uint64_t> shape;  // as stored (2-D)
  std::vector<std::uint8_t> bytes;   // storage_bytes(format) per element, little-endian
  bool fortran = false;
  std::string dtype;
  bool converted = false;  // values were rounded into `format` (a float dtype of another format)
  std::uint64_t inexact = 0;  // ... and this many of them changed
};

std::size_t container_bytes(const FormatSpec& f) { return storage_bytes(f); }

Loaded load(const std::string& arg, const FormatSpec& f, const char* role) {
  const auto views = io::select_tensors(arg);
  if (views.size() != 1)
    throw UsageError(std::string("gemm: --") + role + " \"" + arg + "\" selects " +
                     std::to_string(views.size()) + " tensors; name one as FILE:NAME");
  const io::TensorView& t = views.front();
  if (t.shape.size() != 2)
    throw UsageError(std::string("gemm: --") + role + " " + t.file + ":" + t.name + " has " +
                     std::to_string(t.shape.size()) + " dimensions; a matrix needs 2");
  const io::DTypeInfo& info = io::dtype_info(t.dtype);
  if (!io::iterable(t.dtype))
    throw UsageError(std::string("gemm: --") + role + " dtype " + std::string(info.name) + " cannot be read");
  Loaded L;
  L.file = t.file;
  L.tensor = t.name;
  L.shape = t.shape;
  L.fortran = t.fortran_order;
  L.dtype = std::string(info.name);
  const std::size_t sb = container_bytes(f);
  L.bytes.resize(t.count * sb);
  // Bit patterns of the input format when the dtype is that format, or an integer container of
  // its size (fp8 / bf16 bits saved as uint8 / uint16); otherwise a float dtype is converted.
  std::optional<FormatSpec> from;
  if (info.kind == io::DTypeKind::floating && !info.format.empty()) {
    const FormatSpec src = format_by_name(info.format);
    if (!(src == f)) from = src;
  } else if (info.bits / 8 != sb && !(info.bits == 8 && sb == 1)) {
    throw UsageError(std::string("gemm: --") + role + " dtype " + std::string(info.name) +
                     " does not hold " + f.name + " patterns (expected " +
                     std::to_string(8 * sb) + "-bit containers or a float dtype)");
  }
  L.converted = from.has_value();
  const ConvertOptions rne;
  io::for_each_chunk(t, 1 << 16, [&](const io::Chunk& ch) {
    for (std::size_t i = 0; i < ch.bits.size(); ++i) {
      std::uint64_t b = ch.bits[i];
      if (from) {
        const Encoded e = convert(*from, b, f, rne);
        if (e.flags.has(Flags::inexact)) ++L.inexact;
        b = e.bits;
      }
      b &= f.mask();
      const std::size_t at = (ch.first + i) * sb;
      for (std::size_t j = 0; j < sb; ++j) L.bytes[at + j] = static_cast<std::uint8_t>(b >> (8 * j));
    }
  });
  return L;
}

// The operand view of a loaded array X (r x c): layout "row" means the operand is X, "col" that
// it is X^T (a column-major operand saved as its memory, [outer][inner]).
gemm::MatrixOperand operand(const Loaded& L, const FormatSpec& f, bool transpose, std::size_t& rows,
                            std::size_t& cols) {
  gemm::MatrixOperand m;
  m.format = f;
  m.data = L.bytes.data();
  const std::size_t r = L.shape[0], c = L.shape[1];
  rows = transpose ? c : r;
  cols = transpose ? r : c;
  const bool row_major_storage = !L.fortran;
  // X row-major: X = operand row-major (ld c) or X^T = operand column-major (ld c).
  // X column-major: X = operand column-major (ld r) or X^T = operand row-major (ld r).
  m.layout = (row_major_storage != transpose) ? gemm::Layout::row_major : gemm::Layout::col_major;
  m.ld = row_major_storage ? c : r;
  return m;
}

// A tensor scale typed as a decimal: it must be exact in 64 significant bits (a binary32 or
// binary64 scale always is), since it multiplies the exact sum.
ExactValue parse_scale(const std::string& text, const char* opt) {
  const ExactValue v = to_exact_value(parse_decimal(text));
  if (v.cls == ValueClass::nan || v.cls == ValueClass::inf || v.sticky)
    throw UsageError(std::string("gemm: ") + opt + " must be a finite binary value (at most 64 "
                     "significant bits), got \"" + text + "\"");
  return v;
}

bool parse_layout(const std::string& s, const char* opt) {
  if (s == "row") return false;
  if (s == "col") return true;
  throw UsageError(std::string("gemm: ") + opt + " expects row or col, got \"" + s + "\"");
}

gemm::Backend parse_backend(const std::string& s) {
  if (s == "auto") return gemm::Backend::automatic;
  if (s == "blas") return gemm::Backend::blas;
  if (s == "builtin") return gemm::Backend::builtin;
  if (s == "scalar") return gemm::Backend::scalar;
  throw UsageError("gemm: --backend expects auto, blas, builtin or scalar, got \"" + s + "\"");
}

// ---- .npy writing (NumPy format 1.0: magic, version, header length, header dict, data) ----
std::string npy_descr(const FormatSpec& f) {
  if (f.name == "binary16") return "<f2";
  if (f.name == "binary32") return "<f4";
  if (f.name == "binary64") return "<f8";
  switch (storage_bytes(f)) {
    case 1: return "|u1";
    case 2: return "<u2";
    case 4: return "<u4";
    default: return "<u8";
  }
}

std::string npy_bytes(const FormatSpec& f, std::size_t rows, std::size_t cols,
                      const std::vector<std::uint64_t>& bits) {
  std::string header = "{'descr': '" + npy_descr(f) + "', 'fortran_order': False, 'shape': (" +
                       std::to_string(rows) + ", " + std::to_string(cols) + "), }";
  // Pad with spaces so that magic + 4 + header + '\n' is a multiple of 64 (format.py).
  const std::size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::string out("\x93NUMPY\x01\x00", 8);
  out += static_cast<char>(header.size() & 0xFF);
  out += static_cast<char>(header.size() >> 8);
  out += header;
  const std::size_t sb = storage_bytes(f);
  for (std::uint64_t b : bits)
    for (std::size_t j = 0; j < sb; ++j) out += static_cast<char>((b >> (8 * j)) & 0xFF);
  return out;
}

// ---- comparison of C with the exact result ----

// Position of a finite pattern on the number line of its format, so that adjacent values differ
// by one: sign-magnitude to a signed integer (+0 and -0 both 0).
std::int64_t ordinal(const FormatSpec& f, std::uint64_t bits) {
  const auto mag = static_cast<std::int64_t>(bits & f.magnitude_mask());
  return f.is_negative(bits) ? -mag : mag;
}

bool finite(const FormatSpec& f, std::uint64_t b) { return !f.is_nan(b) && !f.is_inf(b); }

std::string ulp_bin(std::uint64_t d) {
  if (d <= 2) return std::to_string(d);
  int k = 0;
  while ((std::uint64_t{1} << k) < d) ++k;  // 2^(k-1) < d <= 2^k
  if (k > 20) return ">2^20";
  return std::to_string((std::uint64_t{1} << (k - 1)) + 1) + "-" + std::to_string(std::uint64_t{1} << k);
}

nlohmann::json number(double x) {
  if (!std::isfinite(x)) return nullptr;
  return x;
}

// The operand with every element (and scale) made non-negative: for sum |a||b|.
struct AbsCopy {
  std::vector<std::uint8_t> bytes;
  gemm::MatrixOperand op;
};
AbsCopy abs_copy(const gemm::MatrixOperand& m, const Loaded& L) {
  AbsCopy c;
  c.bytes = L.bytes;
  const std::size_t sb = storage_bytes(m.format);
  const std::uint64_t sign = m.format.sign_bit();
  for (std::size_t i = 0; i < c.bytes.size(); i += sb) {
    std::uint64_t b = 0;
    for (std::size_t j = 0; j < sb; ++j) b |= static_cast<std::uint64_t>(c.bytes[i + j]) << (8 * j);
    if (m.format.is_nan(b)) continue;
    b &= ~sign;
    for (std::size_t j = 0; j < sb; ++j) c.bytes[i + j] = static_cast<std::uint8_t>(b >> (8 * j));
  }
  c.op = m;
  c.op.data = c.bytes.data();
  return c;
}

// --path P: runs the GEMM path on A and B (packed row-major copies in the path's formats) and
// returns its C as if it had been read with --c. The file name reads "path:P".
Loaded run_gemm_path(const std::string& name, const FormatSpec& in, const FormatSpec& out,
                     const gemm::MatrixOperand& A, const gemm::MatrixOperand& B, std::size_t M,
                     std::size_t N, std::size_t K, std::string& note) {
  const hw::GemmPath* p = hw::find_gemm_path(name);
  if (!p) throw UsageError("gemm: no GEMM path \"" + name + "\" (`fpaudit hw` lists them)");
  std::string why;
  if (!hw::path_available(*p, &why))
    throw UsageError("gemm: path " + name + " is unavailable here: " + why);
  if (!(p->a == in) || !(p->b == in) || !(p->out == out))
    throw UsageError("gemm: path " + name + " computes " + p->a.name + " x " + p->b.name + " -> " +
                     p->out.name + "; give --in-format " + p->a.name + " --out-format " +
                     p->out.name);
  auto pack = [](const gemm::MatrixOperand& m, std::size_t rows, std::size_t cols) {
    const std::size_t w = storage_bytes(m.format);
    std::vector<std::uint8_t> v(rows * cols * w);
    for (std::size_t r = 0; r < rows; ++r)
      for (std::size_t c = 0; c < cols; ++c) {
        const std::uint64_t bits = gemm::element_bits(m, rows, cols, r, c);
        for (std::size_t b = 0; b < w; ++b) v[(r * cols + c) * w + b] = static_cast<std::uint8_t>(bits >> (8 * b));
      }
    return v;
  };
  const std::vector<std::uint8_t> a = pack(A, M, K), b = pack(B, K, N);
  Loaded c;
  c.file = "path:" + name;
  c.shape = {M, N};
  c.dtype = out.name;
  c.bytes.assign(M * N * storage_bytes(out), 0);
  note = p->run(M, N, K, a.data(), b.data(), c.bytes.data());
  return c;
}

void run(const GemmArgs& args) {
  const FormatSpec in = format_by_name(args.in_format);
  const FormatSpec out = format_by_name(args.out_format);
  const FormatSpec accf = args.acc_format.empty() ? out : format_by_name(args.acc_format);
  const ConvertOptions opt = resolve_options(args.conv, out);
  const bool ta = parse_layout(args.a_layout, "--a-layout"), tb = parse_layout(args.b_layout, "--b-layout");
  gemm::GemmOptions g;
  g.threads = args.threads;
  g.backend = parse_backend(args.backend);

  std::vector<gemm::AccumulationModel> models;
  for (const auto& s : args.models) models.push_back(resolve_model(s, in, out));  // devices too

  const Loaded la = load(args.a, in, "a"), lb = load(args.b, in, "b");
  std::size_t M, K, K2, N;
  gemm::MatrixOperand A = operand(la, in, ta, M, K);
  gemm::MatrixOperand B = operand(lb, in, tb, K2, N);
  if (K != K2)
    throw UsageError("gemm: inner dimensions differ: A is " + std::to_string(M) + " x " +
                     std::to_string(K) + ", B is " + std::to_string(K2) + " x " + std::to_string(N));
  // Block scales along K (MX: E8M0 per 32; NVFP4: E4M3 per 16), laid out like their operand:
  // A's M x ceil(K/block), B's ceil(K/block) x N (transposed files with --?-layout col).
  const FormatSpec sf = format_by_name(args.scale_format);
  if (args.block <= 0) throw UsageError("gemm: --block must be positive");
  const std::size_t nblk = (K + static_cast<std::size_t>(args.block) - 1) / static_cast<std::size_t>(args.block);
  std::optional<Loaded> lsa, lsb;
  auto attach = [&](const std::string& file, bool transpose, bool is_a, gemm::MatrixOperand& op,
                    std::optional<Loaded>& keep) {
    if (file.empty()) return;
    keep = load(file, sf, is_a ? "a-scales" : "b-scales");
    std::size_t r, c;
    const gemm::MatrixOperand s = operand(*keep, sf, transpose, r, c);
    const std::size_t wr = is_a ? M : nblk, wc = is_a ? nblk : N;
    if (r != wr || c != wc)
      throw UsageError(std::string("gemm: --") + (is_a ? "a" : "b") + "-scales is " +
                       std::to_string(r) + " x " + std::to_string(c) + ", expected " +
                       std::to_string(wr) + " x " + std::to_string(wc) + " (block " +
                       std::to_string(args.block) + ")");
    op.block_scales = gemm::BlockScales{sf, args.block, keep->bytes.data(), s.layout, s.ld};
  };
  attach(args.a_scales, ta, true, A, lsa);
  attach(args.b_scales, tb, false, B, lsb);
  if (!args.a_tensor_scale.empty()) A.tensor_scale = parse_scale(args.a_tensor_scale, "--a-tensor-scale");
  if (!args.b_tensor_scale.empty()) B.tensor_scale = parse_scale(args.b_tensor_scale, "--b-tensor-scale");

  const gemm::GemmResult ref = gemm::exact_gemm(M, N, K, A, B, out, opt, g);

  nlohmann::ordered_json doc;
  doc["schema"] = "fpaudit.gemm/1";
  doc["fpaudit_version"] = "0.1.0";
  doc["config"] = {{"a", la.file + ":" + la.tensor},
                   {"b", lb.file + ":" + lb.tensor},
                   {"a_layout", args.a_layout},
                   {"b_layout", args.b_layout},
                   {"in_format", in.name},
                   {"out_format", out.name},
                   {"acc_format", accf.name},
                   {"options", describe_options(opt, out)},
                   {"backend", ref.backend},
                   {"a_scales", args.a_scales},
                   {"b_scales", args.b_scales},
                   {"scale_format", sf.name},
                   {"block", args.block},
                   {"a_tensor_scale", args.a_tensor_scale.empty() ? "1" : args.a_tensor_scale},
                   {"b_tensor_scale", args.b_tensor_scale.empty() ? "1" : args.b_tensor_scale},
                   {"inputs_converted", la.converted || lb.converted},
                   {"inputs_inexact", la.inexact + lb.inexact}};
  doc["shape"] = {{"m", M}, {"n", N}, {"k", K}};
  doc["reference_flags"] = format_flags(ref.flags);

  std::ostringstream text;
  text << "exact GEMM  " << M << " x " << K << " x " << N << "  " << in.name << " -> " << out.name
       << "  (" << describe_options(opt, out) << "; " << ref.backend << ")\n";
  if (la.converted || lb.converted)
    text << "inputs converted to " << in.name << " (RNE): " << (la.inexact + lb.inexact)
         << " values changed\n";

  // Model list: explicit, or every preset whose measured inputs include the input format.
  const bool have_c = !args.c.empty() || !args.path.empty();
  const std::size_t requested = models.size();
  if (models.empty() && have_c) models = presets_for(in, out);
  const hw::GemmPath* path = args.path.empty() ? nullptr : hw::find_gemm_path(args.path);
  if (path && args.models.empty() && !path->model.empty()) {  // the path's documented model first
    const gemm::AccumulationModel m = gemm::parse_model(path->model);
    std::erase_if(models, [&](const auto& x) { return gemm::describe(x) == gemm::describe(m); });
    models.insert(models.begin(), m);
  }

  if (have_c) {
    std::string path_note;
    const Loaded lc = args.path.empty()
                          ? load(args.c, out, "c")
                          : run_gemm_path(args.path, in, out, A, B, M, N, K, path_note);
    if (!args.path.empty()) {
      doc["path"] = {{"name", args.path}, {"model", path ? path->model : ""}, {"run_note", path_note}};
      text << "C from path " << args.path << (path_note.empty() ? "" : " (" + path_note + ")") << "\n";
    }
    std::size_t cm, cn;
    const gemm::MatrixOperand C = operand(lc, out, false, cm, cn);
    if (cm != M || cn != N)
      throw UsageError("gemm: C is " + std::to_string(cm) + " x " + std::to_string(cn) +
                       ", expected " + std::to_string(M) + " x " + std::to_string(N));
    std::vector<std::uint64_t> c(M * N);
    for (std::size_t i = 0; i < M; ++i)
      for (std::size_t j = 0; j < N; ++j) c[i * N + j] = gemm::element_bits(C, M, N, i, j);

    // The exact values (to binary64) and sum |a||b| (binary64, for the bound).
    const FormatSpec f64 = format_by_name("binary64");
    const ConvertOptions rne;
    const gemm::GemmResult exact64 = gemm::exact_gemm(M, N, K, A, B, f64, rne, g);
    const AbsCopy aa = abs_copy(A, la), ab = abs_copy(B, lb);
    gemm::MatrixOperand pa = aa.op, pb = ab.op;
    std::optional<AbsCopy> asa, asb;  // |block scales|
    if (lsa) {
      gemm::MatrixOperand t = A;
      t.format = sf;
      asa = abs_copy(t, *lsa);
      pa.block_scales->data = asa->bytes.data();
    }
    if (lsb) {
      gemm::MatrixOperand t = B;
      t.format = sf;
      asb = abs_copy(t, *lsb);
      pb.block_scales->data = asb->bytes.data();
    }
    pa.tensor_scale.negative = pb.tensor_scale.negative = false;
    const gemm::GemmResult absdot = gemm::exact_gemm(M, N, K, pa, pb, f64, rne, g);

    const double u_acc = std::ldexp(1.0, -accf.precision()), u_out = std::ldexp(1.0, -out.precision());
    const double ku = static_cast<double>(K) * u_acc;
    const bool bound_ok = ku < 1.0;
    const double gamma = bound_ok ? ku / (1.0 - ku) : INFINITY;
    const bool extra_rounding = !(accf == out);

    std::map<std::string, std::uint64_t> hist;
    std::vector<std::pair<std::uint64_t, std::string>> order;
    std::uint64_t bit_exact = 0, nonfinite_mismatch = 0, within = 0, compared = 0, rel_count = 0;
    std::uint64_t max_ulp = 0;
    long double sum_abs = 0;
    double max_abs = 0, max_rel = 0;
    for (std::size_t e = 0; e < M * N; ++e) {
      const std::uint64_t r = ref.bits[e], x = c[e];
      if (r == x) ++bit_exact;
      if (!finite(out, r) || !finite(out, x)) {
        if (!(out.is_nan(r) && out.is_nan(x)) && r != x) ++nonfinite_mismatch;
        continue;
      }
      ++compared;
      const std::uint64_t d = static_cast<std::uint64_t>(std::llabs(ordinal(out, r) - ordinal(out, x)));
      max_ulp = std::max(max_ulp, d);
      ++hist[ulp_bin(d)];
      const double ex = std::bit_cast<double>(exact64.bits[e]);
      const long double err = std::fabs(static_cast<long double>(to_double(out, x)) - ex);
      sum_abs += err;
      max_abs = std::max(max_abs, static_cast<double>(err));
      if (ex != 0) {
        max_rel = std::max(max_rel, static_cast<double>(err / std::fabs(static_cast<long double>(ex))));
        ++rel_count;
      }
      const double s = std::bit_cast<double>(absdot.bits[e]);
      double bound = gamma * s;
      if (extra_rounding) bound = bound * (1 + u_out) + u_out * std::fabs(ex);
      // Tolerance for the binary64 roundings of the exact value and of sum |a||b|.
      if (!bound_ok || err <= static_cast<long double>(bound) * (1 + 0x1p-40L) + 0x1p-1070L) ++within;
    }
    nlohmann::ordered_json h = nlohmann::ordered_json::object();
    {
      std::vector<std::pair<std::uint64_t, std::string>> keys;
      for (const auto& [k, v] : hist) {
        std::uint64_t lo = 0;
        if (k.rfind(">", 0) == 0) lo = ~std::uint64_t{0};
        else lo = std::stoull(k);
        keys.push_back({lo, k});
      }
      std::sort(keys.begin(), keys.end());
      for (const auto& [lo, k] : keys) h[k] = hist[k];
    }
    doc["c"] = {{"file", lc.file + ":" + lc.tensor}, {"inputs_converted", lc.converted},
                {"inputs_inexact", lc.inexact}};
    doc["error"] = {{"elements", M * N},
                    {"bit_exact", bit_exact},
                    {"bit_exact_frac", M * N != 0 ? static_cast<double>(bit_exact) / static_cast<double>(M * N) : 1.0},
                    {"nonfinite_mismatch", nonfinite_mismatch},
                    {"finite_compared", compared},
                    {"max_ulp", max_ulp},
                    {"ulp_histogram", h},
                    {"max_abs_err", number(max_abs)},
                    {"mean_abs_err", number(compared ? static_cast<double>(sum_abs / compared) : 0.0)},
                    {"max_rel_err", number(max_rel)},
                    {"rel_compared", rel_count},
                    {"bound", {{"gamma_k", number(gamma)},
                               {"u", u_acc},
                               {"applicable", bound_ok},
                               {"within", within},
                               {"within_frac", compared ? static_cast<double>(within) / compared : 1.0}}}};
    text << "C vs exact (" << lc.file << "): " << bit_exact << "/" << M * N
         << " bit-exact, max " << max_ulp << " ulp, max abs err " << max_abs << ", max rel err "
         << max_rel << "\n";
    text << "ulp histogram:";
    for (auto it = h.begin(); it != h.end(); ++it) text << "  " << it.key() << ": " << it.value();
    text << "\nworst-case bound gamma_K sum|a||b| (u = 2^-" << accf.precision() << ", K = " << K
         << "): " << (bound_ok ? std::to_string(within) + "/" + std::to_string(compared) + " within"
                               : std::string("not applicable (K u >= 1)"))
         << "\n";
    if (nonfinite_mismatch) text << "non-finite mismatches: " << nonfinite_mismatch << "\n";

    // Models: fraction of elements reproduced bit for bit (on a sample when the work is large).
    std::vector<std::size_t> sample;
    const std::uint64_t total = M * N;
    std::uint64_t want = args.sample;
    if (want == 0) {
      const long double work = static_cast<long double>(total) * K * std::max<std::size_t>(models.size(), 1);
      want = work <= (1ull << 26) ? total : std::max<std::uint64_t>(1, (1ull << 26) / (K * std::max<std::size_t>(models.size(), 1)));
    }
    if (want < total)
      for (std::uint64_t s = 0; s < want; ++s) sample.push_back(static_cast<std::size_t>(s * total / want));
    const std::uint64_t evaluated = sample.empty() ? total : sample.size();
    nlohmann::ordered_json mj = nlohmann::ordered_json::array();
    Table table({"model", ">bit-exact", ">fraction", "parameters"});
    std::string best = "exact";
    double best_frac = total ? static_cast<double>(bit_exact) / static_cast<double>(total) : 1.0;
    table.add_row({"exact", std::to_string(bit_exact) + "/" + std::to_string(total),
                   std::to_string(best_frac), "correctly rounded (one rounding)"});
    mj.push_back({{"name", "exact"}, {"spec", "exact"}, {"evaluated", total}, {"bit_exact", bit_exact},
                  {"fraction", best_frac}, {"source", "the exact GEMM reference"}});
    for (const auto& m : models) {
      const auto bits = gemm::model_gemm(m, M, N, K, A, B, out, opt, g, sample);
      std::uint64_t match = 0;
      for (std::size_t s = 0; s < bits.size(); ++s)
        if (bits[s] == c[sample.empty() ? s : sample[s]]) ++match;
      const double frac = static_cast<double>(match) / static_cast<double>(evaluated);
      mj.push_back({{"name", m.name}, {"spec", gemm::describe(m)}, {"evaluated", evaluated},
                    {"bit_exact", match}, {"fraction", frac}, {"source", m.source}});
      table.add_row({m.name, std::to_string(match) + "/" + std::to_string(evaluated),
                     std::to_string(frac), gemm::describe(m)});
      if (frac > best_frac) {
        best_frac = frac;
        best = m.name;
      }
    }
    doc["models"] = mj;
    doc["models_sampled"] = !sample.empty();
    doc["best_model"] = best;
    text << "models" << (sample.empty() ? "" : " (on a sample of " + std::to_string(evaluated) + " elements)")
         << ":\n";
    table.print(text);
    text << "best model: " << best << " (" << best_frac << " bit-exact)\n";
  }

  // Without --c: each --model's (or with --compare-models every applicable preset's) error
  // against the exact result (docs/TENSOR_CORES.md 5).
  if (!have_c && (requested > 0 || args.compare_models)) {
    std::vector<gemm::AccumulationModel> list(models.begin(), models.begin() + requested);
    if (args.compare_models)
      for (auto& p : presets_for(in, out))
        if (std::none_of(list.begin(), list.end(), [&](const auto& m) { return m.name == p.name; }))
          list.push_back(std::move(p));
    doc["model_errors"] = compare_models(list, M, N, K, A, B, out, opt, g, ref.bits, text);
  }

  if (!args.write_ref.empty()) {
    report::write_output_file(args.write_ref, npy_bytes(out, M, N, ref.bits));
    std::string stem = args.write_ref;
    if (stem.size() > 4 && stem.substr(stem.size() - 4) == ".npy") stem.resize(stem.size() - 4);
    nlohmann::ordered_json written = nlohmann::ordered_json::array({args.write_ref});
    for (std::size_t mi = 0; mi < requested; ++mi) {
      const gemm::AccumulationModel& model = models[mi];
      std::string safe = model.name;
      for (char& ch : safe)
        if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '-' && ch != '_') ch = '_';
      const std::string path = stem + "." + safe + ".npy";
      report::write_output_file(path, npy_bytes(out, M, N, gemm::model_gemm(model, M, N, K, A, B, out, opt, g)));
      written.push_back(path);
    }
    doc["written"] = written;
    text << "wrote " << written.size() << " file(s): " << args.write_ref
         << (written.size() > 1 ? " ..." : "") << "\n";
  }
  if (!args.json.empty()) report::write_output_file(args.json, doc.dump(2) + "\n");
  std::cout << text.str();
}

}  // namespace

void register_gemm(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "gemm", "Exact (correctly rounded) GEMM of A and B; with --c, audit a kernel's output against "
              "it and find the accumulation model that reproduces it");
  auto args = std::make_shared<GemmArgs>();
  cmd->add_option("--a", args->a, "A (M x K): FILE or FILE:NAME (.npy, .npz, .safetensors)")->required();
  cmd->add_option("--b", args->b, "B (K x N): FILE or FILE:NAME")->required();
  auto* c_opt = cmd->add_option("--c", args->c, "a kernel's output C (M x N) to audit");
  cmd->add_option("--path", args->path,
                  "compute C with this GEMM path (`fpaudit hw` lists them) and audit it as --c")
      ->excludes(c_opt);
  cmd->add_option("--in-format", args->in_format, "format of A and B's elements")->required();
  cmd->add_option("--out-format", args->out_format, "format of the result (and of C)")->required();
  cmd->add_option("--acc-format", args->acc_format,
                  "accumulation precision assumed by the error bound (default: --out-format)");
  cmd->add_option("--model", args->models,
                  "accumulation model NAME[:key=value,...] or a device (nvidia-h100, amd-mi300x: its "
                  "preset for these formats) (repeatable; default with --c: every preset for the "
                  "input and output formats)");
  cmd->add_option("--write-ref", args->write_ref,
                  "write the exact result as .npy (and each --model's output as FILE.<model>.npy)");
  cmd->add_option("--json", args->json, "write the report as JSON (schema fpaudit.gemm/1)");
  cmd->add_option("--a-layout", args->a_layout, "row: the array is A; col: the array is A^T");
  cmd->add_option("--b-layout", args->b_layout, "row: the array is B; col: the array is B^T");
  cmd->add_option("--threads", args->threads, "threads (default: all cores)");
  cmd->add_option("--sample", args->sample,
                  "evaluate models on this many elements (default: all, or a sample when large)");
  cmd->add_option("--backend", args->backend, "auto | blas | builtin | scalar");
  cmd->add_option("--a-scales", args->a_scales,
                  "block scales of A along K: an M x ceil(K/block) array (MX, NVFP4)");
  cmd->add_option("--b-scales", args->b_scales, "block scales of B: ceil(K/block) x N");
  cmd->add_option("--scale-format", args->scale_format,
                  "format of the block scales (default float8_e8m0fnu; NVFP4: e4m3)");
  cmd->add_option("--block", args->block, "K elements per block scale (default 32; NVFP4: 16)");
  cmd->add_option("--a-tensor-scale", args->a_tensor_scale, "per-tensor scale of A (exact decimal)");
  cmd->add_option("--b-tensor-scale", args->b_tensor_scale, "per-tensor scale of B (exact decimal)");
  cmd->add_flag("--compare-models", args->compare_models,
               "tabulate every preset for these formats against the exact result (max and mean "
               "ulps, elements off by more than 1 ulp)");
  add_conversion_options(*cmd, args->conv);
  cmd->callback([args] { run(*args); });
}

}  // namespace fpaudit::cli
