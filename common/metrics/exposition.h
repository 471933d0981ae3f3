#pragma once

// The set of metric sources a process exposes on its admin /metrics endpoint, rendered in the
// Prometheus text format. prometheus-cpp's Registry cannot hold custom Collectables (our sharded
// families), and its civetweb Exposer would be a second HTTP stack; this joins them instead.

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"

namespace prometheus {
class Collectable;
}

namespace portico::metrics {

inline constexpr char kExpositionContentType[] = "text/plain; version=0.0.4; charset=utf-8";

class Exposition {
 public:
  // Adds a source (a prometheus::Registry or one of our families). Thread-safe.
  void add(std::shared_ptr<prometheus::Collectable> source);
  // Collects every source and serialises the result. Thread-safe.
  std::string render() const;

 private:
  mutable std::mutex mu_;
  std::vector<std::shared_ptr<prometheus::Collectable>> sources_ ABSL_GUARDED_BY(mu_);
};

}  // namespace portico::metrics
