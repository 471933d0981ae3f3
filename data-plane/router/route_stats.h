#pragma once

// Per-route request metrics, resolved when config is compiled and then used lock-free on the
// request path: portico_proxy_requests_total{route,service,code} and
// portico_proxy_request_duration_seconds{route,service}. One RouteStats per (route, service)
// for the life of the process, so counters survive config updates.

#include <array>
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "common/metrics/sharded_metrics.h"

namespace portico::dp::router {

class RouteStats {
 public:
  RouteStats(metrics::CounterFamily& requests, metrics::ShardedHistogram* duration, std::string route,
             std::string service);

  // Records one finished request. `shard` is the calling worker's index.
  void record(int shard, int status, double seconds);

 private:
  metrics::ShardedCounter* counterFor(int status);

  // A small lock-free table status → counter: a route sees few distinct codes. When it is
  // full, the family's own (locked) lookup is the fallback.
  static constexpr int kFree = -1;  // any status, even a bogus 0, can own a slot
  struct Slot {
    std::atomic<int> status{kFree};
    std::atomic<metrics::ShardedCounter*> counter{nullptr};
  };
  static constexpr int kSlots = 16;

  metrics::CounterFamily& requests_;
  metrics::ShardedHistogram* duration_;
  const std::string route_;
  const std::string service_;
  std::array<Slot, kSlots> slots_;
};

// Interns RouteStats by (route, service). get() takes a mutex: call it at compile time only.
class RouteStatsStore {
 public:
  explicit RouteStatsStore(int shards);
  RouteStats* get(const std::string& route, const std::string& service);
  std::shared_ptr<metrics::CounterFamily> requestsFamily() const { return requests_; }
  std::shared_ptr<metrics::HistogramFamily> durationFamily() const { return duration_; }

 private:
  std::shared_ptr<metrics::CounterFamily> requests_;
  std::shared_ptr<metrics::HistogramFamily> duration_;
  std::mutex mu_;
  std::map<std::pair<std::string, std::string>, std::unique_ptr<RouteStats>> stats_ ABSL_GUARDED_BY(mu_);
};

}  // namespace portico::dp::router
