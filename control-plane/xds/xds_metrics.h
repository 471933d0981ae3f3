#pragma once

// Control-plane xDS metrics, resolved once at start-up (never looked up by name per push).

#include <array>
#include <memory>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "common/xds/type_urls.h"

namespace portico::cp::xds {

struct XdsMetrics {
  explicit XdsMetrics(prometheus::Registry& registry);

  prometheus::Gauge* connected_proxies;
  prometheus::Histogram* convergence;  // portico_cp_proxy_convergence_seconds
  std::array<prometheus::Counter*, portico::xds::kResourceTypeCount> pushes;
  std::array<prometheus::Counter*, portico::xds::kResourceTypeCount> nacks;
  std::array<prometheus::Counter*, portico::xds::kResourceTypeCount> acks;
};

}  // namespace portico::cp::xds
