#include "data-plane/filters/cache/redis_keys.h"

#include <openssl/sha.h>

#include "common/strings.h"

namespace portico::dp::filters::cache::redis_keys {

namespace {

// 128 bits of SHA-256: collisions, even crafted ones, are out of reach; keys stay short
// whatever the query string's length.
constexpr size_t kDigestBytes = 16;

std::string digestHex(std::string_view text) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * kDigestBytes);
  for (size_t i = 0; i < kDigestBytes; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 15]);
  }
  return out;
}

void appendEscaped(std::string& out, std::string_view text) {
  for (char c : text) {
    if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
}

}  // namespace

std::string globalGeneration() { return cat(kPrefix, "g"); }
std::string routeGeneration(std::string_view route) { return cat(kPrefix, "g:", route); }
std::string globalFence() { return cat(kPrefix, "f"); }
std::string routeFence(std::string_view route) { return cat(kPrefix, "f:", route); }
std::string purgeMarker(uint64_t epoch, uint64_t id) { return cat(kPrefix, "purge:", epoch, ":", id); }

std::string entryHead(std::string_view route, std::string_view path) {
  return cat(kPrefix, "e:", route, " ", path, " ");
}

std::string entryKey(std::string_view head, std::string_view generations, std::string_view cache_key) {
  return cat(head, generations, ":", digestHex(cache_key));
}

std::string prefixPattern(std::string_view route, std::string_view path_prefix) {
  std::string out = cat(kPrefix, "e:");
  if (route.empty()) {
    out.append("*");
  } else {
    appendEscaped(out, route);
  }
  out.push_back(' ');
  appendEscaped(out, path_prefix);
  out.push_back('*');
  return out;
}

}  // namespace portico::dp::filters::cache::redis_keys
