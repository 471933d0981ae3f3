#pragma once

// Load-balancing metrics: portico_proxy_lb_panic_total{cluster}, the picks made in panic mode
// (balanced over all endpoints because too few were healthy). Sharded per worker, so counting a
// pick is one relaxed store on the worker's own cache line.
//
// Threading: panicCounter() takes a mutex (a worker calls it once per cluster per snapshot,
// never per pick); ShardedCounter::inc(worker) only from that worker.

#include <memory>
#include <string>

#include "common/metrics/sharded_metrics.h"

namespace portico::dp::upstream::lb {

class LbStats {
 public:
  explicit LbStats(int workers);
  std::shared_ptr<metrics::CounterFamily> panicFamily() const { return panic_; }
  metrics::ShardedCounter* panicCounter(const std::string& cluster) { return panic_->get({{"cluster", cluster}}); }

 private:
  std::shared_ptr<metrics::CounterFamily> panic_;
};

}  // namespace portico::dp::upstream::lb
