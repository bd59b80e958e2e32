// _Float16 casts compiled with -mf16c: F16C instructions for float, libgcc for double (flags: CMakeLists.txt, "hardware paths" block).
#if defined(__F16C__) && !defined(__AVX512FP16__)
#define FPAUDIT_FLOAT16_ISA_OK 1
#endif
#define FPAUDIT_FLOAT16_NS f16c
#include "float16_kernels.inc"
