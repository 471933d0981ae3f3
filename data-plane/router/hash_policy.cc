#include "data-plane/router/hash_policy.h"

#include "data-plane/upstream/lb/xxhash64.h"

namespace portico::dp::router {

namespace bhttp = boost::beast::http;

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::optional<std::string_view> valueFor(const HashPolicy& policy, const router::Fields& headers,
                                         std::string_view client_ip) {
  switch (policy.kind) {
    case HashPolicy::Kind::kHeader: {
      // The first field of that name: a repeated header hashes like its first value.
      auto it = headers.find(policy.name);
      if (it == headers.end()) return std::nullopt;
      return std::string_view(it->value().data(), it->value().size());
    }
    case HashPolicy::Kind::kCookie:
      return findCookie(headers, policy.name);
    case HashPolicy::Kind::kSourceIp:
      if (client_ip.empty()) return std::nullopt;
      return client_ip;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string_view> findCookie(const router::Fields& headers, std::string_view name) {
  const auto [first, last] = headers.equal_range(bhttp::field::cookie);
  for (auto it = first; it != last; ++it) {
    std::string_view rest(it->value().data(), it->value().size());
    while (!rest.empty()) {
      const size_t semicolon = rest.find(';');
      const std::string_view pair = trim(rest.substr(0, semicolon));
      rest = semicolon == std::string_view::npos ? std::string_view() : rest.substr(semicolon + 1);
      const size_t equals = pair.find('=');
      if (equals != std::string_view::npos && trim(pair.substr(0, equals)) == name) {
        std::string_view value = trim(pair.substr(equals + 1));
        if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
        return value;
      }
    }
  }
  return std::nullopt;
}

std::optional<uint64_t> computeRequestHash(const std::vector<HashPolicy>& policies, const router::Fields& headers,
                                           std::string_view client_ip) {
  std::optional<uint64_t> hash;
  for (const HashPolicy& policy : policies) {
    const std::optional<std::string_view> value = valueFor(policy, headers, client_ip);
    if (!value) continue;
    const uint64_t next = upstream::lb::xxHash64(*value);
    hash = hash ? (((*hash << 1) | (*hash >> 63)) ^ next) : next;
    if (policy.terminal) break;
  }
  return hash;
}

}  // namespace portico::dp::router
