#pragma once

// The Redis side of a cache config with backend REDIS: the commands a request sends. Every
// lookup is one script (one round trip) that reads the generations and the entry; a Vary'd
// response costs one more GET for its variant; a store is one script, sent after the response
// (the client does not wait for it). Key names: redis_keys.h.
//
// Stores are fenced: the lookup returns the fences (the generations, and the prefix-purge
// counters) it saw, and the store script writes only while they are unchanged, so a response
// fetched before a purge is never stored after it (the memory store's purge generation, shared).
//
// Threads: immutable; shared by every worker (each uses its own connection of the client).

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "data-plane/net/executor.h"

namespace portico::dp::redis {
class Client;
}

namespace portico::dp::filters::cache {

class RedisBackend {
 public:
  using Duration = std::chrono::steady_clock::duration;
  RedisBackend(std::shared_ptr<redis::Client> client, Duration timeout);

  struct Found {
    std::string generations;           // "G.g": part of this request's entry keys
    std::string fences;                // for store()
    std::optional<std::string> value;  // the value under the primary key, if any
  };
  // Reads the generations and the value stored for `primary` (cache_key.h) under `head`
  // (redis_keys::entryHead).
  net::Awaitable<absl::StatusOr<Found>> lookup(size_t worker, std::string head, std::string primary) const;

  // The value under `key` (a variant's entry key), if any.
  net::Awaitable<absl::StatusOr<std::optional<std::string>>> get(size_t worker, std::string key) const;

  struct Store {
    std::string fences;  // Found::fences of the request's lookup
    std::string key;     // the entry's key
    std::string value;
    std::string marker_key;  // with Vary: the primary key's entry key, for the marker
    std::string marker_value;
    std::chrono::milliseconds ttl{0};
  };
  // Writes the entry (and its Vary marker) with a TTL of `ttl`, unless a purge moved a fence
  // since the lookup: true when written.
  net::Awaitable<absl::StatusOr<bool>> store(size_t worker, Store store) const;

  const std::shared_ptr<redis::Client>& client() const { return client_; }
  Duration timeout() const { return timeout_; }

 private:
  std::shared_ptr<redis::Client> client_;
  Duration timeout_;
};

}  // namespace portico::dp::filters::cache
