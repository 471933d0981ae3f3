#pragma once

// portico_cp_registered_instances{service}: read from the store at scrape time, so the gauge is
// always exactly the registry (no bookkeeping on every change, no stale series).

#include <prometheus/collectable.h>

#include "control-plane/registry/store.h"

namespace portico::cp::registry {

class RegistryMetrics : public prometheus::Collectable {
 public:
  explicit RegistryMetrics(const Store& store) : store_(store) {}
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  const Store& store_;
};

}  // namespace portico::cp::registry
