#pragma once

// Applies the control plane's purge commands to the Redis servers of the cache configs with
// backend REDIS (docs/cache.md, "Redis backend"). Every proxy receives every purge and applies
// it; the first one to reach a server does the work and the others find its marker
// (redis_keys::purgeMarker, set NX atomically with the work's first step) and skip it, so N
// proxies cost one INCR or one SCAN, and a purge applied twice changes nothing:
//
// - a route (no prefix): INCR the route's generation: every entry of the route becomes
//   unreachable at once (keys embed the generation) and expires by its TTL;
// - everything (no route, no prefix): INCR the global generation;
// - a path prefix (with or without a route): bump the route's (or the global) fence, so
//   responses in flight are not stored after the purge, then SCAN MATCH the entries of the route
//   (any route) whose path starts with the prefix, and UNLINK them, a batch at a time;
// - a gap in the purge list (PurgePlan::purge_all, this proxy missed purges): INCR the global
//   generation, without a marker (the gap is this proxy's own).
//
// The commands run on a thread of the purger's own (started on first use), with a connection
// of its own per server, so a purge never blocks the xDS thread nor a worker. Failures (Redis
// down) are logged and counted; the purge is not retried (its entries live until their TTL).
//
// Threading: apply() from any thread; the work on the purger's thread.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "absl/base/thread_annotations.h"
#include "data-plane/filters/cache/purge_tracker.h"
#include "data-plane/net/executor.h"

namespace portico::dp::redis {
class Client;
}

namespace portico::dp::filters::cache {

struct CacheStats;

class RedisPurger {
 public:
  // Bound of each command; a prefix purge's whole SCAN is bounded by kScanBudget.
  static constexpr std::chrono::milliseconds kCommandTimeout{2000};
  static constexpr std::chrono::seconds kScanBudget{120};
  // How long a purge's marker stays (a proxy that sees the purge later skips it meanwhile).
  static constexpr std::chrono::hours kMarkerLifetime{24 * 30};

  explicit RedisPurger(CacheStats& stats);
  ~RedisPurger();
  RedisPurger(const RedisPurger&) = delete;
  RedisPurger& operator=(const RedisPurger&) = delete;

  // Applies `plan` (purge ids of `epoch`) to each server in `addresses`, asynchronously.
  void apply(const std::vector<std::string>& addresses, uint64_t epoch, const PurgePlan& plan);

  // Waits until every purge applied so far has finished (tests); false after `timeout`.
  bool waitIdle(std::chrono::milliseconds timeout) const;

 private:
  net::Awaitable<void> run(std::shared_ptr<redis::Client> client, uint64_t epoch, PurgePlan plan);
  std::shared_ptr<redis::Client> clientFor(const std::string& address) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  CacheStats& stats_;
  boost::asio::io_context io_;
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<redis::Client>> clients_ ABSL_GUARDED_BY(mu_);
  std::unique_ptr<boost::asio::executor_work_guard<net::Executor>> work_ ABSL_GUARDED_BY(mu_);
  std::thread thread_ ABSL_GUARDED_BY(mu_);
  std::atomic<int> pending_{0};
};

}  // namespace portico::dp::filters::cache
