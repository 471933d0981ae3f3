#include "data-plane/http/raw_fields.h"

#include "absl/strings/match.h"
#include "common/strings.h"
#include "data-plane/http/header_chars.h"

namespace portico::dp::http {

namespace {

constexpr std::string_view kCrlf = "\r\n";

boost::beast::string_view bsv(std::string_view s) { return boost::beast::string_view(s.data(), s.size()); }

// Calls `each(name, line)` for every line of `lines` (line with its CRLF).
template <typename Each>
void forEachLine(std::string_view lines, Each each) {
  for (size_t pos = 0; pos < lines.size();) {
    size_t end = lines.find(kCrlf, pos);
    end = end == std::string_view::npos ? lines.size() : end + kCrlf.size();
    const std::string_view line = lines.substr(pos, end - pos);
    each(line.substr(0, line.find(':')), line);
    pos = end;
  }
}

}  // namespace

void adoptRawFields(RawFields& raw, router::Fields& fields) {
  forEachLine(raw.lines, [&](std::string_view name, std::string_view line) {
    std::string_view value = line.substr(std::min(name.size() + 1, line.size()));
    if (value.size() >= kCrlf.size() && value.substr(value.size() - kCrlf.size()) == kCrlf) {
      value.remove_suffix(kCrlf.size());
    }
    fields.insert(bsv(name), bsv(trimOws(value)));
  });
  raw = RawFields{};
}

void eraseRawField(RawFields& raw, std::string_view name) {
  if (!raw.mayHold(name)) return;  // the common case: no scan, no copy
  RawFields kept;
  kept.lines.reserve(raw.lines.size());
  kept.has_content_length = raw.has_content_length && !absl::EqualsIgnoreCase(av(name), "content-length");
  forEachLine(raw.lines, [&](std::string_view line_name, std::string_view line) {
    if (!absl::EqualsIgnoreCase(av(line_name), av(name))) kept.append(line_name, line);
  });
  raw = std::move(kept);
}

}  // namespace portico::dp::http
