// x86 dot-product instructions as GEMM paths (bfloat16 x bfloat16 -> binary32):
//   x86.vdpbf16ps.loop   one VDPBF16PS per pair of K elements, 16 output columns per ZMM
//                        register, one register lane per C element (Intel SDM VDPBF16PS);
//   x86.amx.tdpbf16ps    16 x 16 C tiles, one TDPBF16PS per 32 elements of K (Intel SDM
//                        TDPBF16PS), after the Linux permission request for tile data.
// Both are documented by fpaudit's models of the instructions (gemm/models.hpp: vdpbf16ps,
// amx-bf16), which tests/test_gemm_models.cpp already holds to single instructions; here the
// model is held to whole GEMMs, padding and tiling included.
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "../backends.hpp"
#include "fpaudit/format/registry.hpp"
#include "fpaudit/hw/cpu_features.hpp"

#if defined(__x86_64__)
#include <immintrin.h>
#include <sys/syscall.h>
#include <unistd.h>
#define FPAUDIT_HW_X86_64 1
#endif

namespace fpaudit::hw {

#if !FPAUDIT_HW_X86_64

void register_x86_gemm_paths(PathRegistry&) {}

#else

namespace {

using u16 = std::uint16_t;

// B (K x N, row-major) as VNNI pairs: for K pair p and column j, the 32-bit word
// (B[2p+1][j] << 16) | B[2p][j]; K padded to even, N to a multiple of `n_pad`, with +0.
std::vector<std::uint32_t> pack_b_pairs(const u16* b, std::size_t K, std::size_t N,
                                        std::size_t n_pad, std::size_t& Np) {
  const std::size_t pairs = (K + 1) / 2;
  Np = (N + n_pad - 1) / n_pad * n_pad;
  std::vector<std::uint32_t> out(pairs * Np, 0);
  for (std::size_t k = 0; k < K; ++k)
    for (std::size_t j = 0; j < N; ++j)
      out[(k / 2) * Np + j] |= std::uint32_t{b[k * N + j]} << (16 * (k & 1));
  return out;
}

// One row of A against a 16-column panel: lane j accumulates C[i][j0 + j] in K order, two
// elements per VDPBF16PS (src1 = the broadcast A pair, src2 = the B pairs), from +0.
__attribute__((target("avx512f,avx512bf16"), noinline)) void vdpbf16ps_panel(
    const std::uint32_t* a_pairs, const std::uint32_t* b_pairs, std::size_t pairs,
    std::size_t Np, float* out16) {
  __m512 acc = _mm512_setzero_ps();
  for (std::size_t p = 0; p < pairs; ++p) {
    const __m512i a = _mm512_set1_epi32(static_cast<int>(a_pairs[p]));
    const __m512i b = _mm512_loadu_si512(b_pairs + p * Np);
    acc = _mm512_dpbf16_ps(acc, (__m512bh)a, (__m512bh)b);
  }
  _mm512_storeu_ps(out16, acc);
}

std::string run_vdpbf16ps(std::size_t M, std::size_t N, std::size_t K, const void* A,
                          const void* B, void* C) {
  const auto* a = static_cast<const u16*>(A);
  std::size_t Np = 0;
  const std::vector<std::uint32_t> bp = pack_b_pairs(static_cast<const u16*>(B), K, N, 16, Np);
  const std::size_t pairs = (K + 1) / 2;
  std::vector<std::uint32_t> ap(pairs);
  float lanes[16];
  auto* c = static_cast<float*>(C);
  for (std::size_t i = 0; i < M; ++i) {
    std::fill(ap.begin(), ap.end(), 0u);
    for (std::size_t k = 0; k < K; ++k) ap[k / 2] |= std::uint32_t{a[i * K + k]} << (16 * (k & 1));
    for (std::size_t j0 = 0; j0 < N; j0 += 16) {
      vdpbf16ps_panel(ap.data(), bp.data() + j0, pairs, Np, lanes);
      std::memcpy(c + i * N + j0, lanes, sizeof(float) * std::min<std::size_t>(16, N - j0));
    }
  }
  return "";
}

// ---- AMX ----

// Linux (arch/x86/include/uapi/asm/prctl.h): a process must ask for the XTILEDATA state
// component before its first tile instruction; refused (e.g. by a seccomp filter or an old
// kernel) means the instructions would fault.
constexpr long kArchReqXcompPerm = 0x1023;
constexpr long kXfeatureXtiledata = 18;

bool amx_permission(std::string* why) {
  static const int err = [] {
    return syscall(SYS_arch_prctl, kArchReqXcompPerm, kXfeatureXtiledata) == 0 ? 0 : errno;
  }();
  if (err != 0 && why)
    *why = std::string("the kernel refused AMX tile data (arch_prctl(ARCH_REQ_XCOMP_PERM)): ") +
           std::strerror(err);
  return err == 0;
}

// Tile configuration (Intel SDM Vol. 1, 3.x LDTILECFG memory format): palette 1; tile 0 = C
// (16 rows x 64 bytes: 16 binary32), tile 1 = A (16 rows x 64 bytes: 32 bfloat16 of K),
// tile 2 = B (16 rows of K pairs x 64 bytes: 16 columns x 2 bfloat16).
struct alignas(64) TileConfig {
  std::uint8_t palette = 1, start_row = 0, reserved[14] = {};
  std::uint16_t colsb[16] = {};
  std::uint8_t rows[16] = {};
};

__attribute__((target("amx-tile,amx-bf16"), noinline)) void amx_tile_gemm(
    const u16* a_tiles, const std::uint32_t* b_tiles, std::size_t k_blocks, float* c_tile) {
  TileConfig cfg;
  for (int t = 0; t < 3; ++t) {
    cfg.colsb[t] = 64;
    cfg.rows[t] = 16;
  }
  _tile_loadconfig(&cfg);
  _tile_zero(0);
  for (std::size_t kb = 0; kb < k_blocks; ++kb) {
    _tile_loadd(1, a_tiles + kb * 16 * 32, 64);
    _tile_loadd(2, b_tiles + kb * 16 * 16, 64);
    _tile_dpbf16ps(0, 1, 2);
  }
  _tile_stored(0, c_tile, 64);
  _tile_release();
}

std::string run_amx(std::size_t M, std::size_t N, std::size_t K, const void* A, const void* B,
                    void* C) {
  const auto* a = static_cast<const u16*>(A);
  const auto* b = static_cast<const u16*>(B);
  auto* c = static_cast<float*>(C);
  const std::size_t k_blocks = (K + 31) / 32;
  std::vector<u16> at(k_blocks * 16 * 32);
  std::vector<std::uint32_t> bt(k_blocks * 16 * 16);
  float ct[16 * 16];
  for (std::size_t i0 = 0; i0 < M; i0 += 16) {
    // A tiles: rows i0.., 32 K elements per block, zero-padded.
    std::fill(at.begin(), at.end(), u16{0});
    for (std::size_t r = 0; r < 16 && i0 + r < M; ++r)
      for (std::size_t k = 0; k < K; ++k) at[(k / 32) * 512 + r * 32 + k % 32] = a[(i0 + r) * K + k];
    for (std::size_t j0 = 0; j0 < N; j0 += 16) {
      // B tiles in VNNI layout: row p of block kb holds K pair (kb * 16 + p) for 16 columns.
      std::fill(bt.begin(), bt.end(), 0u);
      for (std::size_t k = 0; k < K; ++k)
        for (std::size_t j = 0; j < 16 && j0 + j < N; ++j)
          bt[(k / 32) * 256 + ((k % 32) / 2) * 16 + j] |= std::uint32_t{b[k * N + j0 + j]}
                                                           << (16 * (k & 1));
      amx_tile_gemm(at.data(), bt.data(), k_blocks, ct);
      for (std::size_t r = 0; r < 16 && i0 + r < M; ++r)
        std::memcpy(c + (i0 + r) * N + j0, ct + r * 16,
                    sizeof(float) * std::min<std::size_t>(16, N - j0));
    }
  }
  return "";
}

GemmPath bf16_path(std::string name, std::string semantics, std::string model,
                   std::function<bool(std::string*)> available,
                   std::string (*run)(std::size_t, std::size_t, std::size_t, const void*,
                                      const void*, void*)) {
  GemmPath p;
  p.name = std::move(name);
  p.a = p.b = format_by_name("bfloat16");
  p.out = format_by_name("binary32");
  p.semantics = std::move(semantics);
  p.model = std::move(model);
  p.available = std::move(available);
  p.run = run;
  return p;
}

}  // namespace

void register_x86_gemm_paths(PathRegistry& r) {
  r.add(bf16_path("x86.vdpbf16ps.loop",
                  "one VDPBF16PS per K pair (odd element first), one binary32 lane per C "
                  "element from +0, K in order; FMA, DAZ, FTZ, RNE; MXCSR not consulted "
                  "(SDM VDPBF16PS)",
                  "vdpbf16ps", needs_avx512_bf16(), run_vdpbf16ps));
  r.add(bf16_path("x86.amx.tdpbf16ps",
                  "16 x 16 C tiles from +0, one TDPBF16PS per 32 K elements: even/odd binary32 "
                  "partials from +0 (FMA), then C += even + odd; DAZ, FTZ, RNE (SDM TDPBF16PS)",
                  "amx-bf16:amx_k=32",
                  [](std::string* why) {
                    return cpu_supports_all({CpuFeature::amx_tile, CpuFeature::amx_bf16}, why) &&
                           amx_permission(why);
                  },
                  run_amx));
}

#endif  // FPAUDIT_HW_X86_64

}  // namespace fpaudit::hw
