// libFuzzer target: data-plane/http/path_normalizer. The first byte picks the options, the rest
// is the path. Properties checked on every accepted path:
// - the output is never longer than the input;
// - normalizing is idempotent (the output is already normal);
// - with normalize: the output starts with '/', has no "." or ".." segment, no '\', no '#',
//   and every %-escape is upper-case hex of a character that is not unreserved;
// - with merge_slashes: no "//";
// - with escaped slashes rejected or unescaped: no %2F / %5C is left.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "data-plane/http/path_normalizer.h"
#include "fuzz/fuzz_check.h"

namespace {

using portico::dp::http::EscapedSlashes;
using portico::dp::http::normalizePath;
using portico::dp::http::PathOptions;
using portico::dp::http::PathResult;

bool isHexUpper(char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'); }

bool unreservedByte(int c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

int hexValue(char c) { return c <= '9' ? c - '0' : c - 'A' + 10; }

void checkNormalForm(std::string_view out, const PathOptions& options) {
  const std::string shown(out);
  if (options.normalize) {
    FUZZ_CHECK(!out.empty() && out[0] == '/', shown);
    FUZZ_CHECK(out.find('\\') == std::string_view::npos, shown);
    FUZZ_CHECK(out.find('#') == std::string_view::npos, shown);
    size_t start = 1;  // each segment: between a '/' and the next one
    while (start <= out.size()) {
      size_t end = out.find('/', start);
      if (end == std::string_view::npos) end = out.size();
      const std::string_view segment = out.substr(start, end - start);
      FUZZ_CHECK(segment != "." && segment != "..", shown);
      start = end + 1;
    }
    for (size_t i = 0; i < out.size(); ++i) {
      if (out[i] != '%') continue;
      FUZZ_CHECK(i + 2 < out.size() && isHexUpper(out[i + 1]) && isHexUpper(out[i + 2]), shown);
      FUZZ_CHECK(!unreservedByte(hexValue(out[i + 1]) * 16 + hexValue(out[i + 2])), shown);
    }
  }
  if (options.merge_slashes && !out.empty() && out[0] == '/') {
    FUZZ_CHECK(out.find("//") == std::string_view::npos, shown);
  }
  if (options.escaped_slashes != EscapedSlashes::kKeep && !out.empty() && out[0] == '/') {
    for (std::string_view escape : {"%2F", "%2f", "%5C", "%5c"}) {
      FUZZ_CHECK(out.find(escape) == std::string_view::npos, shown);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0 || size > portico::fuzz::kMaxInput) return 0;
  PathOptions options;
  options.normalize = (data[0] & 1) != 0;
  options.merge_slashes = (data[0] & 2) != 0;
  options.escaped_slashes = static_cast<EscapedSlashes>((data[0] >> 2) % 3);
  const std::string_view path(reinterpret_cast<const char*>(data + 1), size - 1);

  std::string out;
  const PathResult result = normalizePath(path, options, out);
  if (result == PathResult::kInvalid || result == PathResult::kEscapedSlash) return 0;
  const std::string_view normal = result == PathResult::kChanged ? std::string_view(out) : path;
  FUZZ_CHECK(normal.size() <= path.size(), std::string(path) + " → " + std::string(normal));
  // A path the normalizer left alone must also pass the checks (it claimed it is normal).
  checkNormalForm(normal, options);
  std::string again;
  const PathResult second = normalizePath(normal, options, again);
  FUZZ_CHECK(second == PathResult::kUnchanged,
             std::string(path) + " → " + std::string(normal) + " → " + again);
  return 0;
}
