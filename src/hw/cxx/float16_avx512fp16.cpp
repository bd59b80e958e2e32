// _Float16 casts compiled with -mavx512fp16: AVX512-FP16 instructions (flags: CMakeLists.txt, "hardware paths" block).
#if defined(__AVX512FP16__)
#define FPAUDIT_FLOAT16_ISA_OK 1
#endif
#define FPAUDIT_FLOAT16_NS avx512fp16
#include "float16_kernels.inc"
