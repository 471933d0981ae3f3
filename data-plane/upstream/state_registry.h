#pragma once

// Hands out the shared mutable state of clusters and endpoints (cluster_state.h,
// endpoint_state.h) so that it outlives any one snapshot: compiling a new snapshot looks up the
// state of every cluster and endpoint by name, and gets the same object the previous snapshot
// holds as long as that one is alive. The registry holds weak references only: state nobody's
// snapshot holds any more is freed, and an endpoint that comes back later starts fresh.
//
// Threading: any thread (the xDS thread compiles, the health checker reads); a mutex guards the
// maps. Never used on the request path: requests reach the state through the snapshot.

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "data-plane/upstream/cluster_state.h"
#include "data-plane/upstream/endpoint_state.h"

namespace portico::dp::upstream {

class StateRegistry {
 public:
  std::shared_ptr<ClusterState> cluster(std::string_view cluster_name);
  // `endpoint_key` is "ip:port" (Endpoint::key).
  std::shared_ptr<EndpointState> endpoint(std::string_view cluster_name, std::string_view endpoint_key);
  // Calls `fn` for every cluster state still alive, in no particular order (metrics and admin;
  // `fn` runs under the registry's mutex, so it must not call back into the registry).
  void forEachCluster(const std::function<void(const std::string& name, const ClusterState& state)>& fn);

 private:
  std::mutex mu_;
  absl::flat_hash_map<std::string, std::weak_ptr<ClusterState>> clusters_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, std::weak_ptr<EndpointState>> endpoints_ ABSL_GUARDED_BY(mu_);
  size_t lookups_since_sweep_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace portico::dp::upstream
