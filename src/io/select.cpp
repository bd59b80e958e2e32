// From command-line arguments to files and tensors: reader dispatch, directory walks, and the
// "file:tensor_name" selector.
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <string>

#include "common.hpp"
#include "fpaudit/io/readers.hpp"
#include "mapped_file.hpp"

namespace fpaudit::io {
namespace {

namespace fs = std::filesystem;

std::optional<FileKind> kind_by_extension(const std::string& path) {
  std::string ext = fs::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (ext == ".npy") return FileKind::npy;
  if (ext == ".npz") return FileKind::npz;
  if (ext == ".safetensors") return FileKind::safetensors;
  return std::nullopt;
}

}  // namespace

TensorFile read_file(const std::string& path) {
  const auto kind = kind_by_extension(path);
  if (!kind) {
    (void)MappedFile::open(path);  // a missing or non-regular file says so first
    fail(path,
         "unsupported file type; expected .npy, .npz or .safetensors (a raw binary needs "
         "a dtype and shape)");
  }
  switch (*kind) {
    case FileKind::npy:
      return read_npy(path);
    case FileKind::npz:
      return read_npz(path);
    default:
      return read_safetensors(path);
  }
}

std::vector<std::string> find_supported_files(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) fail(dir, "not a directory; expected a directory to search");
  std::vector<std::string> out;
  try {
    // Symbolic links to directories are not followed (no cycles); links to files are.
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
      std::error_code type_ec;
      if (entry.is_regular_file(type_ec) && kind_by_extension(entry.path().string())) {
        out.push_back(entry.path().string());
      }
    }
  } catch (const fs::filesystem_error& e) {
    fail(dir, "cannot read " + quote(e.path1().string()) + ": " + e.code().message());
  }
  std::sort(out.begin(), out.end());
  return out;
}

Selector parse_selector(const std::string& argument) {
  std::error_code ec;
  if (fs::exists(argument, ec)) return {argument, std::nullopt, fs::is_directory(argument, ec)};
  for (auto colon = argument.find(':'); colon != std::string::npos;
       colon = argument.find(':', colon + 1)) {
    const std::string prefix = argument.substr(0, colon);
    if (!prefix.empty() && fs::exists(prefix, ec) && !fs::is_directory(prefix, ec)) {
      return {prefix, argument.substr(colon + 1), false};
    }
  }
  return {argument, std::nullopt, false};  // read_file will say it is missing
}

const TensorView& find_tensor(const TensorFile& file, const std::string& name) {
  for (const auto& t : file.tensors) {
    if (t.name == name) return t;
  }
  constexpr std::size_t kShown = 10;
  std::string names;
  for (std::size_t i = 0; i < file.tensors.size() && i < kShown; ++i) {
    names += (i ? ", " : "") + quote(file.tensors[i].name);
  }
  if (file.tensors.size() > kShown)
    names += ", ... (" + std::to_string(file.tensors.size()) + " in all)";
  fail(file.path, "no tensor named " + quote(name) +
                      (file.tensors.empty() ? std::string(" (the file holds none)")
                                            : " (it has: " + names + ")"));
}

std::vector<TensorView> select_tensors(const std::string& argument) {
  const Selector sel = parse_selector(argument);
  std::vector<TensorView> out;
  if (sel.directory) {
    for (const auto& path : find_supported_files(sel.path)) {
      auto file = read_file(path);
      for (auto& t : file.tensors) out.push_back(std::move(t));
    }
    return out;
  }
  TensorFile file = read_file(sel.path);
  if (sel.tensor) {
    out.push_back(find_tensor(file, *sel.tensor));
    return out;
  }
  return std::move(file.tensors);
}

}  // namespace fpaudit::io
