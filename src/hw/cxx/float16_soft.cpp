// _Float16 casts compiled without -mf16c / -mavx512fp16: libgcc soft-float calls (flags: CMakeLists.txt, "hardware paths" block).
#if !defined(__F16C__) && !defined(__AVX512FP16__)
#define FPAUDIT_FLOAT16_ISA_OK 1
#endif
#define FPAUDIT_FLOAT16_NS soft
#include "float16_kernels.inc"
