// Runs the kernel on the operands of a TestFloat vector file and prints TestFloat lines with the
// kernel's results (flags 00: the kernel reports none), for `fpaudit verify --ignore-flags`.
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "kernel.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: kernel_dump VECTORS.tf\n";
    return 2;
  }
  std::ifstream in(argv[1]);
  if (!in) {
    std::cerr << "kernel_dump: cannot open " << argv[1] << "\n";
    return 2;
  }
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string operand;
    if (!(fields >> operand) || operand[0] == '#') continue;
    const auto x = static_cast<std::uint32_t>(std::stoul(operand, nullptr, 16));
    std::printf("%08X %04X 00\n", x, f32_to_bf16_kernel(x));
  }
  return 0;
}
