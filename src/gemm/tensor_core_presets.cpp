// The per-GPU block-FMA presets (include/fpaudit/gemm/tensor_core_presets.hpp). Parameters from
// Khattak & Mikaitis' MATLAB-tensor-core at commit b12b5a7 (file:lines in each source line) as
// tabulated in docs/TENSOR_CORES.md 3; departures (docs/TENSOR_CORES.md 4) are marked in the
// notes with the evidence. Pure data: no per-GPU code.
#include "fpaudit/gemm/tensor_core_presets.hpp"

#include <algorithm>
#include <stdexcept>

#include "fpaudit/format/registry.hpp"

namespace fpaudit::gemm {
namespace {

constexpr const char* kPaper =
    "Khattak & Mikaitis, Accurate Models of NVIDIA Tensor Cores (ACM TACO, doi 10.1145/3830409); "
    "MATLAB-tensor-core b12b5a7 ";

// One row of the parameter table (docs/TENSOR_CORES.md 3).
struct Row {
  const char* in;   // fp16 | bf16 | tf32 | fp8
  const char* out;  // fp32 | fp16
  int terms;
  int neab;
  Rounding frmode;
  int min_exp;
  const char* acc;    // block result format
  const char* where;  // model file lines
  const char* data;   // recorded data this row reproduces ("" = none)
  std::vector<const char*> notes;
  // departures / non-NVIDIA paths
  int instruction_k = 0;
  int interleave = 0;
  AddendEntry c_entry = AddendEntry::aligned;
};

// A device family: the devices that share one model file, and how they are named.
struct Family {
  const char* vendor;                                        // nvidia | amd
  std::vector<std::pair<const char*, const char*>> devices;  // id, alias note ("" = the file's own)
  std::vector<Row> rows;
  BlockPath path = BlockPath::global;
  Rounding armode = Rounding::rtz;
  bool normalise_products = false;
  bool zero_c_exponent_126 = false;
  bool product_limit = false;
  bool flush = false;
  const char* family_note = "";
};

const char* kSpecials =
    "undecided: Inf, NaN and overflow are not in the recorded data; fpaudit follows the model "
    "(NaN/Inf pre-check over all products and C; block overflow is +-Inf in every rounding mode) "
    "but keeps an Inf produced inside the chain Inf, where the MATLAB reads it back as 2^128 "
    "(research 3.4-3.5)";
const char* kMinExp =
    "undecided: min_exponent is not exercised by the data (|values| 1e-5..4.3); value from the "
    "model file (the authors' targeted tests)";
const char* kC16 =
    "C is rounded to fp16 with RNE before use (the recording program's __float2half)";

std::vector<std::string> in_formats(const char* vendor, const std::string& in) {
  if (in == "fp16") return {"binary16"};
  if (in == "bf16") return {"bfloat16"};
  if (in == "tf32") return {"tf32"};
  if (std::string(vendor) == "amd") return {"float8_e4m3fnuz", "float8_e5m2fnuz"};
  return {"float8_e4m3fn", "float8_e5m2"};
}

std::vector<Family> families() {
  const Rounding rz = Rounding::rtz, rne = Rounding::rne;
  std::vector<Family> f;
  // ---- NVIDIA: global alignment, truncation, denorm_prd 1, no flushing (research 2) ----
  f.push_back({"nvidia",
               {{"v100", ""}},
               {{"fp16",
                 "fp32",
                 4,
                 0,
                 rz,
                 -1024,
                 "binary32",
                 "models/V100TC.m:38-64",
                 "V100/fp16 d_fp32",
                 {kMinExp}},
                {"fp16",
                 "fp16",
                 4,
                 0,
                 rne,
                 -19,
                 "binary16",
                 "models/V100TC.m:79-84",
                 "V100/fp16 d_fp16",
                 {kC16, kMinExp}}}});
  const std::vector<Row> ampere = {
      {"fp16",
       "fp32",
       8,
       1,
       rz,
       -132,
       "binary32",
       "models/A100TC.m:50-76",
       "{D}/fp16 d_fp32",
       {kMinExp}},
      {"fp16",
       "fp16",
       8,
       1,
       rne,
       -20,
       "binary16",
       "models/A100TC.m:91-97",
       "{D}/fp16 d_fp16",
       {kC16, kMinExp, "undecided: with fp16 output neab 1, 2, 3 are almost indistinguishable"}},
      {"bf16",
       "fp32",
       8,
       1,
       rz,
       -132,
       "binary32",
       "models/A100TC.m:50-76 (defaults)",
       "{D}/bf16 d_fp32",
       {kMinExp}},
      {"tf32",
       "fp32",
       4,
       1,
       rz,
       -132,
       "binary32",
       "models/A100TC.m:98-101",
       "{D}/tf32 d_fp32",
       {kMinExp,
        "inputs wider than tf32 are truncated to it (GEMM.m rounds tf32 toward zero; the GPU "
        "ignores the low 13 bits)"}}};
  f.push_back({"nvidia",
               {{"a100", ""}, {"a30", "A30TC.m:26 calls A100TC"}, {"a2", "A2TC.m:26 calls A100TC"}},
               ampere});
  std::vector<Row> ada = ampere;
  ada[3].where = "models/AdaTC.m:104-105";
  for (auto& r : ada) {
    if (std::string(r.where).find("A100TC.m:50") != std::string::npos)
      r.where = "models/AdaTC.m:51-77";
    if (std::string(r.where).find("A100TC.m:91") != std::string::npos)
      r.where = "models/AdaTC.m:97-103";
  }
  ada.push_back({"fp8",
                 "fp32",
                 16,
                 -10,
                 rz,
                 -132,
                 "e8m13",
                 "models/AdaTC.m:106-108",
                 "{D}/E4M3, {D}/E5M2 d_fp32",
                 {kMinExp,
                  "the block result keeps 13 fraction bits (neab -10: GEMM.m:105-109), widened "
                  "exactly to fp32"}});
  ada.push_back(
      {"fp8",
       "fp16",
       16,
       -10,
       rne,
       -132,
       "binary16",
       "models/AdaTC.m:110-114",
       "Ada/E4M3, Ada/E5M2 d_fp16",
       {kC16,
        "departure: GEMM.m:105-109 keeps M_out + neab = 0 fraction bits for fp16 output (the guard "
        "'only for 23-bit outputs' of a45477e was dropped in 00415cd), which fails 4996/5000 "
        "(E4M3) and "
        "4997/5000 (E5M2) recorded rows; fpaudit rounds to fp16 (M = 10) and reproduces 5000/5000",
        "undecided: min_exponent -132 and -20 both fit"}});
  f.push_back(
      {"nvidia",
       {{"ada", ""},
        {"l40s",
         "L40STC.m: same parameters as AdaTC; every L40S data file is byte-identical to Ada's"}},
       ada});

  const char* kInterleave =
      "departure: the published model (one 32-term block, neab -10, RNE to fp16 with 0 fraction "
      "bits) fails 4992-4999 of 5000 recorded rows (run with C = 0 as the authors' script does); "
      "fpaudit uses the rule that fits all of them "
      "(research 3.2): mma.sync fp8 runs on the fp16 HMMA datapath, two 16-product blocks over the "
      "interleaved pairs {0,1,4,5,...,28,29} then {2,3,6,7,...,30,31} (fp16 parameters: neab 2, "
      "RNE, "
      "min_exponent -21; the second block takes the first's result as its addend), then C added "
      "with one RNE rounding. The other order fails 1229-1557 rows";
  std::vector<Row> hopper = {
      {"fp16",
       "fp32",
       16,
       2,
       rz,
       -133,
       "binary32",
       "models/H100TC.m:48-74",
       "{D}/fp16 d_fp32",
       {kMinExp}},
      {"fp16",
       "fp16",
       16,
       2,
       rne,
       -21,
       "binary16",
       "models/H100TC.m:95-102",
       "{D}/fp16 d_fp16",
       {kC16, kMinExp, "undecided: with fp16 output neab 1, 2, 3 are almost indistinguishable"}},
      {"bf16",
       "fp32",
       16,
       2,
       rz,
       -133,
       "binary32",
       "models/H100TC.m:48-74 (defaults)",
       "{D}/bf16 d_fp32",
       {kMinExp}},
      {"tf32",
       "fp32",
       8,
       2,
       rz,
       -133,
       "binary32",
       "models/H100TC.m:103-104",
       "{D}/tf32 d_fp32",
       {kMinExp, "undecided: the data has K = 4, so terms 4 and 8 both fit",
        "inputs wider than tf32 are truncated to it (GEMM.m rounds tf32 toward zero)"}},
      {"fp8",
       "fp32",
       32,
       -10,
       rz,
       -133,
       "e8m13",
       "models/H100TC.m:105-109",
       "{D}/E4M3, {D}/E5M2 d_fp32 (C = 0)",
       {kMinExp,
        "undecided: recorded by WGMMA with a zero accumulator (H100 and H200 files are identical "
        "though "
        "their C files differ), so how C enters is untested; fpaudit aligns C with the products as "
        "the "
        "published model does",
        "the block result keeps 13 fraction bits (neab -10), widened exactly to fp32 (DeepSeek-V3 "
        "measured about 14 retained bits on H800)"}},
      {"fp8",
       "fp16",
       16,
       2,
       rne,
       -21,
       "binary16",
       "models/H100TC.m:110-114 (replaced, see departure)",
       "{D}/E4M3, {D}/E5M2 d_fp16",
       {kC16, kInterleave},
       32,
       2,
       AddendEntry::last}};
  f.push_back({"nvidia", {{"h100", ""}, {"h200", "H200TC.m:26 calls H100TC"}}, hopper});

  std::vector<Row> blackwell = hopper;
  blackwell[0].where = "models/B200TC.m:50-75";
  blackwell[1].where = "models/B200TC.m:91-97";
  blackwell[2].where = "models/B200TC.m:50-75 (defaults)";
  blackwell[3].where = "models/B200TC.m:98-99";
  blackwell[4] = {
      "fp8",
      "fp32",
      32,
      2,
      rz,
      -133,
      "binary32",
      "models/B200TC.m:100-103 (C entry replaced, see departure)",
      "{D}/E4M3, {D}/E5M2 d_fp32",
      {kMinExp,
       "departure: the published model aligns C with the products and truncates it, which fails "
       "1793/5000 (E4M3) and 1764/5000 (E5M2) recorded rows; fpaudit forms the 32-product sum T "
       "with C = 0 (neab 2, RZ to fp32) and then adds C with one RNE rounding (the comment at "
       "Generic_BFMA_TC.m:489-495; research 3.2): 5000/5000",
       "undecided: T as one 32-product block, as the interleaved pairs or as two halves all fit"},
      32,
      0,
      AddendEntry::last};
  blackwell[5].where = "models/B200TC.m:104-109 (forces fp32 output; replaced, see departure)";
  f.push_back({"nvidia",
               {{"b200", ""}, {"rtx-pro-6000", "RTXPRO6000TC.m:26 calls B200TC; no recorded data"}},
               blackwell});

  std::vector<Row> blackwell_rn = {
      {"fp16", "fp32", 16, 2, rne, -133, "binary32", "models/B200TCRN.m:50-85", "", {}},
      {"fp16", "fp16", 16, 2, rne, -15, "binary16", "models/B200TCRN.m:91-110", "", {kC16}},
      {"bf16", "fp32", 16, 2, rne, -133, "binary32", "models/B200TCRN.m:50-85", "", {}},
      {"tf32", "fp32", 8, 2, rne, -133, "binary32", "models/B200TCRN.m:91-110", "", {}},
      {"fp8", "fp32", 32, 2, rne, -133, "binary32", "models/B200TCRN.m:91-110", "", {}}};
  f.push_back({"nvidia",
               {{"b200-rn", "B200TCRN.m: B200TC with RNE everywhere, used only in experiments/"}},
               blackwell_rn});

  // ---- AMD (output always binary32; research 2, AMD table) ----
  {
    Family mi100{
        "amd",
        {{"mi100", ""}},
        {{"fp16", "fp32", 4, 0, rne, -1024, "binary32", "models/MI100MC.m:47-101", "", {}},
         {"bf16", "fp32", 2, 0, rne, -1024, "binary32", "models/MI100MC.m:96-97", "", {}}}};
    mi100.path = BlockPath::exact;
    mi100.armode = Rounding::rdown;
    mi100.normalise_products = true;
    mi100.family_note =
        "CDNA1: each block is the exact sum of its products and C, rounded once (correct_rounding "
        "= 1)";
    f.push_back(mi100);
    Family mi200{
        "amd",
        {{"mi210", ""}, {"mi250", "MI250MC.m:4 calls MI210MC"}},
        {{"fp16", "fp32", 4, 0, rne, -1024, "binary32", "models/MI210MC.m:47-85", "", {}},
         {"bf16", "fp32", 4, 0, rne, -1024, "binary32", "models/MI210MC.m:47-85", "", {}}}};
    mi200.path = BlockPath::pairwise;
    mi200.armode = Rounding::rdown;
    mi200.normalise_products = true;
    mi200.product_limit = true;
    mi200.flush = true;
    mi200.family_note =
        "CDNA2: products rounded to binary32, ((p1 + p2) + (p3 + p4)) + C in binary32 RNE, "
        "subnormal inputs, "
        "products and sums flushed to zero";
    f.push_back(mi200);
    Family mi300{
        "amd",
        {{"mi300a", "MI300AMC.m:4 calls MI300MC"}, {"mi300x", "MI300XMC.m:4 calls MI300MC"}},
        {{"fp16",
          "fp32",
          8,
          1,
          rne,
          -1024,
          "binary32",
          "models/MI300MC.m:51-93 at d12a5b3^",
          "",
          {}},
         {"bf16",
          "fp32",
          8,
          1,
          rne,
          -1024,
          "binary32",
          "models/MI300MC.m:51-93 at d12a5b3^",
          "",
          {}},
         {"tf32",
          "fp32",
          4,
          1,
          rne,
          -1024,
          "binary32",
          "models/MI300MC.m:95-96 at d12a5b3^",
          "",
          {}}}};
    mi300.path = BlockPath::late_sum;
    mi300.armode = Rounding::rdown;
    mi300.zero_c_exponent_126 = true;
    mi300.product_limit = true;
    mi300.family_note =
        "CDNA3: MI300MC.m was deleted at HEAD (d12a5b3), so the MI300A/MI300X wrappers fail there; "
        "parameters read at its parent";
    Family mi300_fp8 = mi300;
    mi300_fp8.rows = {{"fp8",
                       "fp32",
                       16,
                       1,
                       rne,
                       -1024,
                       "binary32",
                       "models/MI300MC.m:98-102 at d12a5b3^",
                       "",
                       {"fp8 = E4M3FNUZ, bf8 = E5M2FNUZ (AMD's naming; GEMM.m:54-57 swaps the two, "
                        "research 3.14)"}}};
    mi300_fp8.path = BlockPath::odd_even;
    f.push_back(mi300);
    f.push_back(mi300_fp8);
  }
  return f;
}

std::string out_format(const std::string& out) { return out == "fp16" ? "binary16" : "binary32"; }

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (std::size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size()))
    s.replace(p, from.size(), to);
  return s;
}

std::string upper_device(const std::string& id) {
  if (id == "ada") return "Ada";
  if (id == "l40s") return "L40S";
  std::string u = id;
  for (char& c : u) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return u;
}

}  // namespace

std::vector<AccumulationModel> tensor_core_presets() {
  std::vector<AccumulationModel> v;
  for (const Family& fam : families()) {
    for (const auto& [id, alias] : fam.devices) {
      for (const Row& r : fam.rows) {
        AccumulationModel m;
        m.kind = ModelKind::fused;
        m.device = std::string(fam.vendor) + "-" + id;
        m.name = m.device + "-" + r.in + "-" + r.out;
        m.inputs = in_formats(fam.vendor, r.in);
        m.output = out_format(r.out);
        m.acc = format_by_name(r.acc);
        m.rounding = r.frmode;
        BlockFma& b = m.block;
        b.terms = r.terms;
        b.fraction_bits = 23 + r.neab;
        b.path = fam.path;
        b.align_rounding = fam.armode;
        b.normalise_products = fam.normalise_products;
        b.min_exponent = r.min_exp;
        b.zero_c_exponent_126 = fam.zero_c_exponent_126;
        b.product_limit = fam.product_limit;
        b.flush_inputs = b.flush_results = fam.flush;
        b.instruction_k = r.instruction_k;
        b.interleave = r.interleave;
        b.c_entry = r.c_entry;
        b.c_rounding = Rounding::rne;
        m.source =
            std::string(kPaper) + r.where + (alias[0] ? std::string("; ") + alias : std::string());
        const std::string data = r.data;
        if (!data.empty()) {
          const std::string dev = upper_device(id);
          m.notes.push_back(
              "data: bit-exact on every recorded row of vectors/tensor-core-validation/" +
              replace_all(data, "{D}", dev) + " (5000 rows per file)");
        } else if (std::string(fam.vendor) == "amd") {
          m.notes.push_back(
              "undecided: no recorded AMD data is published; parameters as in the model file, not "
              "validated");
        } else {
          m.notes.push_back(
              "undecided: no recorded data for this device; parameters as in the model file");
        }
        if (fam.family_note[0]) m.notes.emplace_back(fam.family_note);
        for (const char* n : r.notes) m.notes.emplace_back(n);
        m.notes.emplace_back(kSpecials);
        v.push_back(std::move(m));
      }
    }
  }
  return v;
}

std::vector<std::string> tensor_core_devices() {
  std::vector<std::string> d;
  for (const auto& p : tensor_core_presets())
    if (std::find(d.begin(), d.end(), p.device) == d.end()) d.push_back(p.device);
  return d;
}

namespace {
std::string canonical_device(std::string_view name) {
  for (const auto& d : tensor_core_devices()) {
    const auto dash = d.find('-');
    if (name == d || name == std::string_view(d).substr(dash + 1)) return d;
  }
  return {};
}
}  // namespace

bool is_tensor_core_device(std::string_view name) { return !canonical_device(name).empty(); }

AccumulationModel device_preset(std::string_view device, const FormatSpec& in,
                                const FormatSpec& out) {
  const std::string d = canonical_device(device);
  if (d.empty()) throw std::invalid_argument("unknown device \"" + std::string(device) + "\"");
  std::string have;
  for (const auto& p : tensor_core_presets()) {
    if (p.device != d) continue;
    if (p.output == out.name &&
        std::find(p.inputs.begin(), p.inputs.end(), in.name) != p.inputs.end())
      return p;
    have += (have.empty() ? "" : ", ") + p.name.substr(d.size() + 1);
  }
  throw std::invalid_argument("device " + d + " has no model for " + in.name + " inputs with " +
                              out.name + " output (it has: " + have + ")");
}

}  // namespace fpaudit::gemm
