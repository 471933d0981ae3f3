#pragma once

// portico_proxy_endpoints_healthy{cluster} and portico_proxy_endpoints{cluster}, computed when
// Prometheus scrapes from the current snapshot's endpoints and their live state (active health
// checks and outlier ejections alike), so the gauges can never drift from what the balancers
// see, and clusters that left the configuration drop out of the output by themselves.
//
// Threading: Collect() runs on the admin thread; it reads atomics only.

#include <prometheus/collectable.h>

#include <functional>
#include <vector>

#include "data-plane/config/snapshot.h"

namespace portico::dp::admin {

class EndpointHealthMetrics : public prometheus::Collectable {
 public:
  explicit EndpointHealthMetrics(std::function<config::SnapshotPtr()> current) : current_(std::move(current)) {}
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  std::function<config::SnapshotPtr()> current_;
};

}  // namespace portico::dp::admin
