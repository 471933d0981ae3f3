#include "data-plane/router/route_stats.h"

namespace portico::dp::router {

RouteStats::RouteStats(metrics::CounterFamily& requests, metrics::ShardedHistogram* duration,
                       std::string route, std::string service)
    : requests_(requests), duration_(duration), route_(std::move(route)), service_(std::move(service)) {}

metrics::ShardedCounter* RouteStats::counterFor(int status) {
  for (Slot& slot : slots_) {
    int seen = slot.status.load(std::memory_order_acquire);
    if (seen == kFree) {
      // Claim the free slot; whoever loses the race re-reads it below.
      slot.status.compare_exchange_strong(seen, status, std::memory_order_acq_rel);  // updates `seen` on loss
      seen = slot.status.load(std::memory_order_acquire);
    }
    if (seen != status) {
      continue;
    }
    metrics::ShardedCounter* counter = slot.counter.load(std::memory_order_acquire);
    if (counter == nullptr) {
      // First use of this code on this route: the family lookup is idempotent, so two threads
      // racing here store the same pointer.
      counter = requests_.get({{"route", route_}, {"service", service_}, {"code", std::to_string(status)}});
      slot.counter.store(counter, std::memory_order_release);
    }
    return counter;
  }
  return requests_.get({{"route", route_}, {"service", service_}, {"code", std::to_string(status)}});
}

void RouteStats::record(int shard, int status, double seconds) {
  counterFor(status)->inc(shard);
  duration_->observe(shard, seconds);
}

RouteStatsStore::RouteStatsStore(int shards)
    : requests_(std::make_shared<metrics::CounterFamily>(
          "portico_proxy_requests_total", "Requests handled, by route, upstream service and status code",
          shards)),
      duration_(std::make_shared<metrics::HistogramFamily>(
          "portico_proxy_request_duration_seconds",
          "Time from a request's headers to the end of its response, by route and service",
          metrics::latencyBuckets(), shards)) {}

RouteStats* RouteStatsStore::get(const std::string& route, const std::string& service) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& slot = stats_[{route, service}];
  if (!slot) {
    slot = std::make_unique<RouteStats>(*requests_, duration_->get({{"route", route}, {"service", service}}),
                                        route, service);
  }
  return slot.get();
}

}  // namespace portico::dp::router
