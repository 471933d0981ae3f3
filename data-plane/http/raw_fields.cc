#include "data-plane/http/raw_fields.h"

#include "absl/strings/match.h"
#include "common/strings.h"

namespace portico::dp::http {

namespace {

constexpr std::string_view kCrlf = "\r\n";

boost::beast::string_view bsv(std::string_view s) { return boost::beast::string_view(s.data(), s.size()); }

std::string_view trimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Calls `each(name, line)` for every line of `raw` (line with its CRLF).
template <typename Each>
void forEachLine(std::string_view raw, Each each) {
  for (size_t pos = 0; pos < raw.size();) {
    size_t end = raw.find(kCrlf, pos);
    end = end == std::string_view::npos ? raw.size() : end + kCrlf.size();
    const std::string_view line = raw.substr(pos, end - pos);
    each(line.substr(0, line.find(':')), line);
    pos = end;
  }
}

}  // namespace

void adoptRawFields(std::string& raw, router::Fields& fields) {
  forEachLine(raw, [&](std::string_view name, std::string_view line) {
    std::string_view value = line.substr(std::min(name.size() + 1, line.size()));
    if (value.size() >= kCrlf.size() && value.substr(value.size() - kCrlf.size()) == kCrlf) {
      value.remove_suffix(kCrlf.size());
    }
    fields.insert(bsv(name), bsv(trimOws(value)));
  });
  raw.clear();
}

void eraseRawField(std::string& raw, std::string_view name) {
  // The common case, no such line, costs one pass and no copy.
  bool found = false;
  forEachLine(raw, [&](std::string_view line_name, std::string_view) {
    found = found || absl::EqualsIgnoreCase(av(line_name), av(name));
  });
  if (!found) return;
  std::string kept;
  kept.reserve(raw.size());
  forEachLine(raw, [&](std::string_view line_name, std::string_view line) {
    if (!absl::EqualsIgnoreCase(av(line_name), av(name))) kept.append(line);
  });
  raw = std::move(kept);
}

}  // namespace portico::dp::http
