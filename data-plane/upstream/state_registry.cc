#include "data-plane/upstream/state_registry.h"

#include "absl/container/flat_hash_map.h"
#include "common/strings.h"

namespace portico::dp::upstream {

namespace {

// Returns the live object under `key`, or makes one. Expired entries are swept every so often
// (amortised: a sweep per map-size lookups) so the maps do not grow with endpoint churn.
template <typename T>
std::shared_ptr<T> lookup(absl::flat_hash_map<std::string, std::weak_ptr<T>>& map, std::string key,
                          size_t& lookups_since_sweep) {
  if (++lookups_since_sweep > map.size() + 64) {
    absl::erase_if(map, [](const auto& entry) { return entry.second.expired(); });
    lookups_since_sweep = 0;
  }
  std::weak_ptr<T>& slot = map[std::move(key)];
  std::shared_ptr<T> state = slot.lock();
  if (!state) {
    state = std::make_shared<T>();
    slot = state;
  }
  return state;
}

}  // namespace

std::shared_ptr<ClusterState> StateRegistry::cluster(std::string_view cluster_name) {
  std::lock_guard lock(mu_);
  return lookup(clusters_, std::string(cluster_name), lookups_since_sweep_);
}

std::shared_ptr<EndpointState> StateRegistry::endpoint(std::string_view cluster_name,
                                                       std::string_view endpoint_key) {
  std::lock_guard lock(mu_);
  // Endpoint keys ("ip:port") never contain '\n', so splitting at the last '\n' recovers both
  // parts: the combined key is unique per (cluster, endpoint).
  return lookup(endpoints_, cat(cluster_name, "\n", endpoint_key), lookups_since_sweep_);
}

void StateRegistry::forEachCluster(
    const std::function<void(const std::string& name, const ClusterState& state)>& fn) {
  std::lock_guard lock(mu_);
  for (const auto& [name, weak] : clusters_) {
    if (std::shared_ptr<ClusterState> state = weak.lock()) fn(name, *state);
  }
}

}  // namespace portico::dp::upstream
