// Reading .xz files (liblzma, the Debian package liblzma-dev): the shipped validation data
// (vectors/tensor-core-validation/) is stored xz-compressed as published.
#pragma once

#include <string>

namespace fpaudit::io {

// The decompressed contents of the .xz file at `path`. Throws std::runtime_error naming the file
// and what failed (cannot open, not xz data, truncated, corrupt).
std::string read_xz_file(const std::string& path);

}  // namespace fpaudit::io
