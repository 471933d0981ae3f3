#include "data-plane/filters/jwt_authn/extractor.h"

#include <algorithm>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "common/strings.h"

namespace portico::dp::filters::jwt_authn {

namespace {

bool isBlank(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view text) {
  while (!text.empty() && isBlank(text.front())) text.remove_prefix(1);
  while (!text.empty() && isBlank(text.back())) text.remove_suffix(1);
  return text;
}

bool startsWithIgnoreCase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && absl::EqualsIgnoreCase(av(text.substr(0, prefix.size())), av(prefix));
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// %XX decoding; a malformed escape is kept as it is (the token then fails to parse).
std::string percentDecode(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '%' && i + 2 < in.size()) {
      const int hi = hexValue(in[i + 1]);
      const int lo = hexValue(in[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(in[i]);
  }
  return out;
}

// The first value of parameter `name` in `query` (raw, not decoded), or nullopt.
std::optional<std::string_view> findParam(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    const size_t eq = pair.find('=');
    const std::string_view key = pair.substr(0, eq);
    const bool match = key.find('%') == std::string_view::npos ? key == name : percentDecode(key) == name;
    if (match) return eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
  }
  return std::nullopt;
}

}  // namespace

Extractor::Extractor(const std::vector<const Provider*>& providers) {
  for (const Provider* provider : providers) {
    for (const TokenLocation& where : provider->locations) {
      Location* found = nullptr;
      for (Location& location : locations_) {
        if (location.where == where) found = &location;
      }
      if (found == nullptr) {
        locations_.push_back(Location{where, {}});
        found = &locations_.back();
      }
      found->providers.push_back(provider);
    }
  }
  // Headers first, then parameters (Envoy's order), each kind in first-seen order.
  std::stable_partition(locations_.begin(), locations_.end(),
                        [](const Location& l) { return l.where.kind == TokenLocation::Kind::kHeader; });
}

void Extractor::extract(const router::Request& request, std::string_view query, Extracted& out) const {
  out.tokens.clear();
  out.too_many = false;
  auto add = [&out](std::string_view token, size_t location) {
    if (out.tokens.size() == kMaxTokensPerRequest) {
      out.too_many = true;
      return;
    }
    out.tokens.push_back(ExtractedToken{token, static_cast<uint32_t>(location)});
  };
  for (size_t i = 0; i < locations_.size(); ++i) {
    const TokenLocation& where = locations_[i].where;
    if (where.kind == TokenLocation::Kind::kHeader) {
      auto range = request.base().equal_range(where.name);
      for (auto it = range.first; it != range.second; ++it) {
        std::string_view value = it->value();
        if (!where.prefix.empty()) {
          if (!startsWithIgnoreCase(value, where.prefix)) continue;  // not this location's scheme
          value.remove_prefix(where.prefix.size());
        }
        add(trim(value), i);
      }
      continue;
    }
    const std::optional<std::string_view> raw = findParam(query, where.name);
    if (!raw) continue;
    if (raw->find('%') == std::string_view::npos) {
      add(*raw, i);
      continue;
    }
    if (out.decoded.capacity() < kMaxTokensPerRequest) out.decoded.reserve(kMaxTokensPerRequest);
    if (out.decoded.size() == kMaxTokensPerRequest) {
      out.too_many = true;
      continue;
    }
    out.decoded.push_back(percentDecode(*raw));  // capacity reserved: earlier views stay valid
    add(out.decoded.back(), i);
  }
}

void removeToken(router::Request& request, const TokenLocation& location) {
  if (location.kind == TokenLocation::Kind::kHeader) {
    request.base().erase(location.name);
    return;
  }
  const std::string_view target = request.target();
  const size_t question = target.find('?');
  if (question == std::string_view::npos) return;
  std::string kept;
  std::string_view query = target.substr(question + 1);
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    const std::string_view key = pair.substr(0, pair.find('='));
    const bool match = key.find('%') == std::string_view::npos ? key == location.name
                                                               : percentDecode(key) == location.name;
    if (match) continue;
    if (!kept.empty()) kept += '&';
    kept.append(pair.data(), pair.size());
  }
  std::string rebuilt(target.substr(0, question));
  if (!kept.empty()) rebuilt += cat("?", kept);
  request.target(rebuilt);
}

}  // namespace portico::dp::filters::jwt_authn
