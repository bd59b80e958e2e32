#include "fpaudit/io/xz.hpp"

#include <lzma.h>

#include <cstdio>
#include <memory>
#include <stdexcept>
#include <vector>

namespace fpaudit::io {

std::string read_xz_file(const std::string& path) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) throw std::runtime_error(path + ": cannot open for reading");
  lzma_stream s = LZMA_STREAM_INIT;
  if (lzma_stream_decoder(&s, UINT64_MAX, LZMA_CONCATENATED) != LZMA_OK)
    throw std::runtime_error(path + ": cannot start the xz decoder");
  std::unique_ptr<lzma_stream, void (*)(lzma_stream*)> guard(&s, &lzma_end);
  std::vector<std::uint8_t> in(1 << 16), out(1 << 16);
  std::string result;
  lzma_action action = LZMA_RUN;
  s.next_out = out.data();
  s.avail_out = out.size();
  for (;;) {
    if (s.avail_in == 0 && action == LZMA_RUN) {
      s.next_in = in.data();
      s.avail_in = std::fread(in.data(), 1, in.size(), f.get());
      if (std::ferror(f.get())) throw std::runtime_error(path + ": read error");
      if (std::feof(f.get())) action = LZMA_FINISH;
    }
    const lzma_ret r = lzma_code(&s, action);
    if (s.avail_out == 0 || r == LZMA_STREAM_END) {
      result.append(reinterpret_cast<const char*>(out.data()), out.size() - s.avail_out);
      s.next_out = out.data();
      s.avail_out = out.size();
    }
    if (r == LZMA_STREAM_END) return result;
    if (r != LZMA_OK) {
      const char* what = r == LZMA_FORMAT_ERROR ? "not xz data"
                         : r == LZMA_DATA_ERROR ? "corrupt xz data"
                         : r == LZMA_BUF_ERROR  ? "truncated xz data"
                                                : "xz decoder error";
      throw std::runtime_error(path + ": " + what + " at compressed offset " +
                               std::to_string(s.total_in));
    }
  }
}

}  // namespace fpaudit::io
