#pragma once

// Applies an accepted xDS update: compile → open new listener sockets → publish the snapshot to
// every worker (by pointer) → hand the sockets over. Any failure before publishing leaves the
// previous snapshot serving and is returned as the NACK reason.
//
// Threading: apply() runs on the xDS thread; current() may be called from any thread (admin).

#include <memory>
#include <mutex>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "data-plane/config/snapshot.h"
#include "data-plane/filters/rate_limit/limiter_registry.h"
#include "data-plane/http/filter.h"
#include "data-plane/listener/listener_manager.h"
#include "data-plane/listener/worker.h"
#include "data-plane/router/route_stats.h"
#include "data-plane/tls/context_registry.h"
#include "data-plane/upstream/state_registry.h"

namespace portico::dp::config {

class SnapshotPublisher {
 public:
  // `metrics`: where the TLS counters are registered (null: nowhere visible; tests).
  SnapshotPublisher(std::vector<listener::Worker*> workers, router::RouteStatsStore& stats,
                    prometheus::Registry* metrics = nullptr);

  absl::Status apply(const xds::ResourceSet& candidate);
  SnapshotPtr current() const;
  // Stops all listeners (graceful shutdown begins).
  void closeListeners();
  // Cluster and endpoint state shared across snapshots (health checker, admin).
  upstream::StateRegistry& states() { return states_; }
  // The listeners' TLS contexts shared across snapshots (the certificate watcher reloads them).
  tls::ContextRegistry& tlsContexts() { return tls_contexts_; }
  // What every snapshot's HTTP filters are built with besides their configs: the worker count
  // (set here) and process-wide registries (set by main before the first apply()).
  http::FilterBuildContext& filterBase() { return filter_base_; }

 private:
  std::vector<listener::Worker*> workers_;
  router::RouteStatsStore& stats_;
  upstream::StateRegistry states_;
  http::RateLimiterRegistry rate_limits_;
  tls::ContextRegistry tls_contexts_;
  http::FilterBuildContext filter_base_;
  listener::ListenerManager listeners_;
  mutable std::mutex mu_;
  SnapshotPtr current_ ABSL_GUARDED_BY(mu_);
};

}  // namespace portico::dp::config
