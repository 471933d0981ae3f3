#pragma once

// The proxy's in-memory response cache: one per process, shared by every worker.
//
// - Sharded: a key hashes to one of kShards shards, each with its own mutex, LRU list and index,
//   so workers rarely contend, and a lookup holds one shard's lock for a hash probe and a list
//   splice. Entries are immutable and shared by pointer: a hit copies a shared_ptr under the
//   lock, never a body.
// - Bounded in bytes: every entry is charged its key, headers and body plus a fixed overhead
//   against one process-wide budget (capacity()). An insert evicts from its own shard's LRU tail
//   until the total fits, then, when its shard has nothing left to give, from the other shards'
//   (an approximate global LRU: each shard is exact, the shards are not ordered among
//   themselves). The capacity may change at run time (a new config); shrinking trims at once.
// - Fills (request coalescing): the first miss on a key becomes the key's fill leader; later
//   misses on that key, on any worker, join the fill and wait until the leader finishes
//   (CacheFill). Fills live in the same shard as the key's entries, under the same lock.
// - Purges bump a generation counter before they touch any shard; an insert brings the
//   generation its request saw when it started and is dropped when a purge ran since, so a
//   response fetched before a purge cannot be stored after it.
//
// Threading: every method may be called from any thread.

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "data-plane/filters/cache/cache_fill.h"

namespace portico::dp::filters::cache {

using Clock = std::chrono::steady_clock;

// A stored response: what a hit sends (the session adds the gateway's headers and framing).
struct StoredResponse {
  unsigned status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

// One cache entry. Immutable once stored.
struct CacheEntry {
  enum class Kind {
    kResponse,  // a response to serve
    kVary,      // under a primary key: the response varies by `vary`; look up the variant key
    kPass,      // the last response for this key could not be stored: misses do not wait for
                // each other (Varnish's hit-for-miss); a cacheable response replaces it
  };
  Kind kind = Kind::kResponse;
  Clock::time_point stored_at;
  Clock::time_point expires_at;
  int64_t initial_age = 0;  // seconds: the response's Age when it arrived
  std::string route;        // purge by route
  std::string path;         // purge by path prefix
  std::vector<std::string> vary;  // kVary
  StoredResponse response;        // kResponse

  // The bytes charged against the cache's capacity (without the key).
  size_t charge() const;
};
using CacheEntryPtr = std::shared_ptr<const CacheEntry>;

// Which entries a purge removes: all of them, or those of one route and/or under one path
// prefix.
struct PurgeMatch {
  std::string route;        // empty: any route
  std::string path_prefix;  // empty: any path
  bool matches(const CacheEntry& entry) const;
};

class ResponseStore {
 public:
  static constexpr size_t kShards = 16;
  // Charged per entry on top of its key, headers and body: the node, the index slot, the
  // entry's strings and vectors (measured order of magnitude, not exact).
  static constexpr size_t kEntryOverhead = 256;

  explicit ResponseStore(uint64_t capacity_bytes = 0);
  ResponseStore(const ResponseStore&) = delete;
  ResponseStore& operator=(const ResponseStore&) = delete;

  struct Lookup {
    CacheEntryPtr entry;  // a fresh entry under the key; null: none
    CacheFillPtr fill;    // with `coalesce` and no entry: the key's fill
    bool leader = false;  // the caller started `fill` and must call finishFill()
  };
  // The fresh entry under `key` (an expired one is removed), moved to the front of its LRU.
  // Without one and with `coalesce`, joins the fill in flight for the key or starts it.
  Lookup lookup(std::string_view key, Clock::time_point now, bool coalesce);

  // Ends a fill this caller leads: it leaves the shard (later misses start a new one) and its
  // waiters are woken. Idempotent.
  void finishFill(std::string_view key, const CacheFillPtr& fill);

  enum class InsertResult { kStored, kTooLarge, kPurged };
  // Stores `entry` under `key`, replacing what was there, unless it alone exceeds the capacity
  // (kTooLarge) or a purge ran since `generation` was read (kPurged). `evicted` counts the
  // entries dropped to make room.
  InsertResult insert(std::string_view key, CacheEntryPtr entry, uint64_t generation, size_t* evicted = nullptr);

  // Removes matching entries; returns how many. Bumps the generation first.
  size_t purge(const PurgeMatch& match);
  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }

  // The byte budget. Shrinking evicts (LRU first) until the entries fit; returns how many.
  size_t setCapacity(uint64_t bytes);
  uint64_t capacity() const { return capacity_.load(std::memory_order_relaxed); }
  uint64_t bytes() const { return bytes_.load(std::memory_order_relaxed); }
  size_t entries() const;
  // Entries evicted for room since start (inserts and capacity changes).
  uint64_t evictions() const { return evictions_.load(std::memory_order_relaxed); }

 private:
  struct Node {
    std::string key;
    CacheEntryPtr entry;
    size_t charge = 0;
  };
  using NodeList = std::list<Node>;
  struct alignas(64) Shard {
    std::mutex mu;
    NodeList lru ABSL_GUARDED_BY(mu);  // front: most recently used
    absl::flat_hash_map<absl::string_view, NodeList::iterator> index ABSL_GUARDED_BY(mu);  // views into lru keys
    absl::flat_hash_map<std::string, CacheFillPtr> fills ABSL_GUARDED_BY(mu);
    std::atomic<size_t> count{0};  // entries, for entries() without the lock
  };

  Shard& shardFor(std::string_view key);
  // Unlinks the node; its entry is moved to `garbage` so it is freed after the lock is released.
  void erase(Shard& shard, NodeList::iterator node, std::vector<CacheEntryPtr>& garbage)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(shard.mu);
  // Evicts from `shard`'s LRU tail while the cache is over budget, never `keep`. Returns how many.
  size_t evictWhileOver(Shard& shard, const Node* keep, std::vector<CacheEntryPtr>& garbage)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(shard.mu);
  // Evicts from every shard but `skip` while over budget.
  size_t evictElsewhere(const Shard* skip);

  std::array<Shard, kShards> shards_;
  std::atomic<uint64_t> capacity_;
  std::atomic<uint64_t> bytes_{0};
  std::atomic<uint64_t> generation_{0};
  std::atomic<uint64_t> evictions_{0};
};

}  // namespace portico::dp::filters::cache
