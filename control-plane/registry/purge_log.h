#pragma once

// The cache purge log: the most recent purge commands an operator gave through
// POST /v1/cache/purge (control-plane/admin/cache_purge_api.h). The translator copies the whole
// list, with the epoch, into the filter-level config of the cache filter of every group that runs
// the cache plugin (proto/portico/filters/cache/v1/cache.proto, Cache.purges), and each proxy
// applies the purges it has not applied yet (data-plane/filters/cache/purge_tracker.h).
//
// Ids count 1, 2, 3... for the life of this process. The epoch is drawn at random when the
// process starts, so a proxy can tell a restarted control plane (whose ids start again) from
// the one it knew. The list keeps the last `max_entries` commands: a proxy that was away while
// more purges than that were made finds a gap and empties its cache instead.
//
// In memory, like the revocation list: a restart of portico-cp forgets it (docs/cache.md).
//
// Threading: every method may be called from any thread. The change callback runs on the
// calling thread, after the lock is released.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/time/time.h"

namespace portico::cp::registry {

struct CachePurge {
  uint64_t id = 0;
  std::string route;        // empty: every route
  std::string path_prefix;  // empty: every path
  absl::Time at = absl::InfinitePast();
};

// What the translator pushes: the epoch and the purges, oldest first. Epoch 0: no purge log.
struct PurgeList {
  uint64_t epoch = 0;
  std::vector<CachePurge> purges;
};

inline constexpr size_t kMaxPurges = 100;
inline constexpr size_t kMaxPurgeRouteBytes = 256;
inline constexpr size_t kMaxPurgePrefixBytes = 2048;

// Checks a purge's fields: a route of at most kMaxPurgeRouteBytes without control characters,
// and a prefix that starts with '/' (at most kMaxPurgePrefixBytes, visible ASCII). Both may be
// empty. InvalidArgument naming the field otherwise.
absl::Status validatePurge(std::string_view route, std::string_view path_prefix);

class PurgeLog {
 public:
  using Clock = std::function<absl::Time()>;
  struct Options {
    size_t max_entries = kMaxPurges;
    uint64_t epoch = 0;  // 0: drawn at random (tests fix it)
    Clock clock;         // default absl::Now
  };

  PurgeLog() : PurgeLog(Options{}) {}
  explicit PurgeLog(Options options);

  // Records a purge (validated by the caller with validatePurge) and returns it with its id.
  CachePurge add(std::string route, std::string path_prefix);
  PurgeList list() const;
  uint64_t epoch() const { return epoch_; }
  size_t maxEntries() const { return options_.max_entries; }

  // Called after every add. Set once before use.
  void setOnChange(std::function<void()> on_change) { on_change_ = std::move(on_change); }

 private:
  Options options_;
  const uint64_t epoch_;
  std::function<void()> on_change_;
  mutable std::mutex mu_;
  uint64_t next_id_ ABSL_GUARDED_BY(mu_) = 1;
  std::deque<CachePurge> purges_ ABSL_GUARDED_BY(mu_);
};

}  // namespace portico::cp::registry
