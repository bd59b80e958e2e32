// Writing an output file so that a crash or a full disk never leaves half a file: the content
// goes to a temporary file beside the target, is flushed and fsync'ed, then renamed over it.
// A target that exists and is not a regular file (a terminal, /dev/stdout, a pipe, /dev/full)
// is written directly, since renaming onto a device would replace the device node.
#pragma once

#include <string>
#include <string_view>

namespace fpaudit::report {

// Throws std::runtime_error: "cannot write report.json: No space left on device".
void write_output_file(const std::string& path, std::string_view content);

}  // namespace fpaudit::report
