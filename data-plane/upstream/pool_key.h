#pragma once

// An endpoint's key in its worker's connection pool (conn_pool.h): "<cluster>\n<ip:port>", with
// its hash computed once, when the snapshot is compiled. Every proxied request takes a pooled
// connection and puts it back, and hashing the ~20-byte text for both was about 1.5 % of the
// proxy's user-space instructions per request.

#include <cstddef>
#include <string>
#include <utility>

#include "absl/hash/hash.h"

namespace portico::dp::upstream {

struct PoolKey {
  PoolKey() = default;
  // Implicit: a key is its text (tests and the compiler build keys from strings).
  PoolKey(std::string key_text)  // NOLINT(google-explicit-constructor)
      : text(std::move(key_text)), hash(absl::Hash<std::string>{}(text)) {}
  PoolKey(const char* key_text) : PoolKey(std::string(key_text)) {}  // NOLINT(google-explicit-constructor)

  std::string text;
  size_t hash = absl::Hash<std::string>{}(std::string());

  friend bool operator==(const PoolKey& a, const PoolKey& b) { return a.hash == b.hash && a.text == b.text; }

  // For hash maps: the hash computed at construction.
  struct Hash {
    size_t operator()(const PoolKey& key) const { return key.hash; }
  };
};

}  // namespace portico::dp::upstream
