// Helpers shared by the readers: pieces of the one-line InputError messages, checked sizes.
// Internal to src/io.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace fpaudit::io {

// Text from a file or a library, made safe for one line: control and non-ASCII bytes escaped
// (\xNN), cut at max_bytes ("...").
std::string printable(std::string_view text, std::size_t max_bytes = 200);
// The same, double-quoted, with '"' and '\\' escaped too, cut at 80 bytes.
std::string quote(std::string_view text);

// "[2, 3]"
std::string shape_text(std::span<const std::uint64_t> shape);

// Throws InputError(where + ": " + what).
[[noreturn]] void fail(std::string_view where, std::string_view what);

// "dir/model.npy" -> "model".
std::string file_stem(const std::string& path);

// Product of the dimensions (1 for no dimensions); nullopt if it overflows 64 bits.
std::optional<std::uint64_t> element_count(std::span<const std::uint64_t> shape);

// Bytes taken by count elements of `bits` bits each; nullopt if that overflows 64 bits.
// Sub-byte elements round up to whole bytes (callers check divisibility where it matters).
std::optional<std::uint64_t> byte_count(std::uint64_t count, unsigned bits);

}  // namespace fpaudit::io
