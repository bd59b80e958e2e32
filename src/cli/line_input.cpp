#include "line_input.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <stdexcept>

#include "commands.hpp"

namespace fpaudit::cli {

void for_each_input_line(
    const std::string& file,
    const std::function<std::optional<std::string>(std::string_view line, std::uint64_t index)>& evaluate) {
  std::ifstream stream;
  const bool use_stdin = file == "-";
  const std::string name = use_stdin ? "<stdin>" : file;
  if (!use_stdin) {
    stream.open(file);
    if (!stream) throw UsageError("cannot open \"" + file + "\": " + std::strerror(errno));
  }
  std::istream& in = use_stdin ? std::cin : stream;

  std::string out, line;
  std::uint64_t line_number = 0;
  std::uint64_t index = 0;
  while (std::getline(in, line)) {
    ++line_number;
    std::optional<std::string> result;
    try {
      result = evaluate(line, index);
    } catch (const std::invalid_argument& e) {
      std::cout << out;  // the lines before the bad one are complete results: keep them
      throw UsageError(name + ":" + std::to_string(line_number) + ": " + e.what());
    }
    if (!result) continue;
    out += *result;
    out += '\n';
    ++index;
    if (out.size() >= (1u << 16)) {
      std::cout << out;
      out.clear();
    }
  }
  if (in.bad()) throw std::runtime_error("error reading \"" + name + "\"");
  std::cout << out;
}

}  // namespace fpaudit::cli
