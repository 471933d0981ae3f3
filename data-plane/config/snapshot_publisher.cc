#include "data-plane/config/snapshot_publisher.h"

#include "data-plane/config/snapshot_compiler.h"
#include "data-plane/filters/cache/response_cache.h"

namespace portico::dp::config {

SnapshotPublisher::SnapshotPublisher(std::vector<listener::Worker*> workers, router::RouteStatsStore& stats,
                                     prometheus::Registry* metrics)
    : workers_(workers), stats_(stats), tls_contexts_(metrics), listeners_(std::move(workers)) {
  filter_base_.worker_count = workers_.size();
  filter_base_.rate_limits = &rate_limits_;
}

absl::Status SnapshotPublisher::apply(const xds::ResourceSet& candidate) {
  // The response cache's size and purges change with the snapshot that carries them, once it
  // is published (filters/cache/response_cache.h).
  if (filter_base_.cache != nullptr) filter_base_.cache->beginCompile();
  absl::StatusOr<SnapshotPtr> snapshot =
      compileSnapshot(candidate, stats_, &states_, &filter_base_, &tls_contexts_);
  if (!snapshot.ok()) {
    return snapshot.status();
  }
  auto plan = listeners_.prepare((*snapshot)->listeners());
  if (!plan.ok()) {
    return plan.status();
  }
  // Snapshot first, sockets second: each worker runs posted work in order, so a connection on a
  // new listener always finds that listener in the worker's snapshot.
  for (listener::Worker* worker : workers_) {
    worker->publish(*snapshot);
  }
  listeners_.commit(std::move(*plan));
  if (filter_base_.cache != nullptr) filter_base_.cache->commit();
  std::lock_guard<std::mutex> lock(mu_);
  current_ = std::move(*snapshot);
  return absl::OkStatus();
}

SnapshotPtr SnapshotPublisher::current() const {
  std::lock_guard<std::mutex> lock(mu_);
  return current_;
}

void SnapshotPublisher::closeListeners() { listeners_.closeAll(); }

}  // namespace portico::dp::config
