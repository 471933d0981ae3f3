#include "data-plane/filters/cache/cache_control.h"

#include <algorithm>
#include <limits>
#include <string_view>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/time/time.h"
#include "common/strings.h"

namespace portico::dp::filters::cache {

namespace bhttp = boost::beast::http;

namespace {

constexpr int64_t kMaxDeltaSeconds = int64_t{1} << 31;  // RFC 9111 §1.2.2

std::string_view trim(std::string_view s) { return sv(absl::StripAsciiWhitespace(av(s))); }

// delta-seconds (RFC 9111 §1.2.2): digits only; too large clamps; anything else is 0.
int64_t deltaSeconds(std::string_view text) {
  if (text.empty() || text.find_first_not_of("0123456789") != std::string_view::npos) return 0;
  if (text.size() > 10) return kMaxDeltaSeconds;
  int64_t value = 0;
  if (!absl::SimpleAtoi(av(text), &value)) return 0;
  return std::min(value, kMaxDeltaSeconds);
}

// Calls `directive(name, value)` for each element of a comma-separated directive list; commas
// inside a quoted value do not split. The value is unquoted (no escapes are needed for the
// values we read: numbers and field names).
template <typename Fn>
void forEachDirective(std::string_view list, Fn&& directive) {
  size_t start = 0;
  bool quoted = false;
  for (size_t i = 0; i <= list.size(); ++i) {
    if (i < list.size()) {
      const char c = list[i];
      if (c == '"') quoted = !quoted;
      if (c == '\\' && quoted) {
        ++i;
        continue;
      }
      if (c != ',' || quoted) continue;
    }
    const std::string_view element = trim(list.substr(start, i - start));
    start = i + 1;
    if (element.empty()) continue;
    const size_t equals = element.find('=');
    std::string_view name = trim(element.substr(0, equals));
    std::string_view value = equals == std::string_view::npos ? std::string_view() : trim(element.substr(equals + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
    directive(name, value);
  }
}

bool is(std::string_view name, std::string_view directive) { return absl::EqualsIgnoreCase(av(name), av(directive)); }

}  // namespace

CacheControl parseCacheControl(const router::Fields& fields) {
  CacheControl out;
  const auto [first, last] = fields.equal_range(bhttp::field::cache_control);
  for (auto it = first; it != last; ++it) {
    forEachDirective(std::string_view(it->value().data(), it->value().size()),
                     [&out](std::string_view name, std::string_view value) {
                       if (is(name, "no-store")) {
                         out.no_store = true;
                       } else if (is(name, "no-cache")) {
                         out.no_cache = true;
                       } else if (is(name, "private")) {
                         out.is_private = true;
                       } else if (is(name, "public")) {
                         out.is_public = true;
                       } else if (is(name, "must-revalidate") || is(name, "proxy-revalidate")) {
                         out.must_revalidate = true;
                       } else if (is(name, "max-age")) {
                         if (!out.max_age) out.max_age = deltaSeconds(value);
                       } else if (is(name, "s-maxage")) {
                         if (!out.s_maxage) out.s_maxage = deltaSeconds(value);
                       }
                     });
  }
  return out;
}

VaryHeaders parseVary(const router::Fields& fields) {
  VaryHeaders out;
  const auto [first, last] = fields.equal_range(bhttp::field::vary);
  for (auto it = first; it != last; ++it) {
    forEachDirective(std::string_view(it->value().data(), it->value().size()),
                     [&out](std::string_view name, std::string_view) {
                       if (name == "*") {
                         out.star = true;
                       } else {
                         out.names.push_back(absl::AsciiStrToLower(av(name)));
                       }
                     });
  }
  std::sort(out.names.begin(), out.names.end());
  out.names.erase(std::unique(out.names.begin(), out.names.end()), out.names.end());
  return out;
}

std::optional<int64_t> parseHttpDate(std::string_view text) {
  // IMF-fixdate first (what every current server sends), then the two obsolete forms a
  // recipient must still accept (RFC 9110 §5.6.7).
  static constexpr const char* kFormats[] = {
      "%a, %d %b %Y %H:%M:%S GMT",  // Sun, 06 Nov 1994 08:49:37 GMT
      "%A, %d-%b-%y %H:%M:%S GMT",  // Sunday, 06-Nov-94 08:49:37 GMT
      "%a %b %e %H:%M:%S %Y",       // Sun Nov  6 08:49:37 1994
  };
  const std::string trimmed(trim(text));
  for (const char* format : kFormats) {
    absl::Time when;
    std::string error;
    if (absl::ParseTime(format, trimmed, absl::UTCTimeZone(), &when, &error)) {
      return absl::ToUnixSeconds(when);
    }
  }
  return std::nullopt;
}

int64_t ageSeconds(const router::Fields& fields) {
  auto it = fields.find(bhttp::field::age);
  if (it == fields.end()) return 0;
  return deltaSeconds(trim(std::string_view(it->value().data(), it->value().size())));
}

std::chrono::seconds freshnessLifetime(const CacheControl& directives, const router::Fields& fields,
                                       std::chrono::seconds fallback, int64_t now_unix) {
  int64_t lifetime = fallback.count();
  if (directives.s_maxage) {
    lifetime = *directives.s_maxage;
  } else if (directives.max_age) {
    lifetime = *directives.max_age;
  } else if (auto expires = fields.find(bhttp::field::expires); expires != fields.end()) {
    const std::optional<int64_t> at = parseHttpDate(std::string_view(expires->value().data(), expires->value().size()));
    if (!at) {
      lifetime = 0;  // "0" and other invalid dates mean: already expired (RFC 9111 §5.3)
    } else {
      int64_t date = now_unix;
      if (auto field = fields.find(bhttp::field::date); field != fields.end()) {
        date = parseHttpDate(std::string_view(field->value().data(), field->value().size())).value_or(now_unix);
      }
      lifetime = *at - date;
    }
  }
  return std::chrono::seconds(lifetime - ageSeconds(fields));
}

}  // namespace portico::dp::filters::cache
