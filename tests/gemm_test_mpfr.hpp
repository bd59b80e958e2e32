// Helpers shared by the GEMM tests: an MPFR number at the oracles' working precision (8192
// bits: every sum and product these tests form spans far fewer bits, so MPFR steps are exact).
#pragma once

#include <mpfr.h>

namespace fpaudit::gemm_test {

constexpr mpfr_prec_t kPrec = 8192;

struct Mpfr {
  mpfr_t v;
  Mpfr() {
    mpfr_init2(v, kPrec);
    mpfr_set_zero(v, 1);
  }
  Mpfr(const Mpfr& o) {
    mpfr_init2(v, kPrec);
    mpfr_set(v, o.v, MPFR_RNDN);
  }
  Mpfr& operator=(const Mpfr& o) {
    mpfr_set(v, o.v, MPFR_RNDN);
    return *this;
  }
  ~Mpfr() { mpfr_clear(v); }
};

}  // namespace fpaudit::gemm_test
