#include "data-plane/upstream/lb/table_cache.h"

#include "absl/strings/str_cat.h"
#include "data-plane/upstream/lb/maglev.h"
#include "data-plane/upstream/lb/ring_hash.h"
#include "data-plane/upstream/lb/round_robin.h"

namespace portico::dp::upstream::lb {

namespace {

// The endpoints' part of a ring or Maglev key. Endpoint keys are "ip:port" (never '/' or '\n'),
// so "key/weight\n" per endpoint is unambiguous.
void appendEndpoints(std::string& key, const std::vector<Endpoint>& endpoints) {
  for (const Endpoint& endpoint : endpoints)
    absl::StrAppend(&key, endpoint.key, "/", endpoint.weight, "\n");
}

}  // namespace

template <typename T, typename Build>
std::shared_ptr<const T> TableCache::getOrBuild(Shelf<T>& shelf, std::string key,
                                                const Build& build) {
  {
    std::lock_guard lock(mu_);
    if (auto it = shelf.find(key); it != shelf.end()) {
      if (std::shared_ptr<const T> live = it->second.lock()) return live;
    }
  }
  // Built outside the lock (a Maglev table takes a while). Two threads racing on one key both
  // build equal tables and the later store wins; either table is correct.
  auto made = std::make_shared<const T>(build());
  std::lock_guard lock(mu_);
  shelf[std::move(key)] = made;
  sweepIfGrown();
  return made;
}

void TableCache::sweepIfGrown() {
  // Expired entries pile up as snapshots die; sweeping when the maps have doubled since the
  // last sweep keeps them within twice the live tables (+64) at amortised O(1) per store.
  const size_t total = schedules_.size() + rings_.size() + maglevs_.size();
  if (total < sweep_at_) return;
  const auto expired = [](const auto& entry) { return entry.second.expired(); };
  absl::erase_if(schedules_, expired);
  absl::erase_if(rings_, expired);
  absl::erase_if(maglevs_, expired);
  sweep_at_ = 2 * (schedules_.size() + rings_.size() + maglevs_.size()) + 64;
}

TableCache::SchedulePtr TableCache::schedule(const std::vector<uint32_t>& weights) {
  std::string key;
  for (uint32_t weight : weights) absl::StrAppend(&key, weight, ",");
  return getOrBuild(schedules_, std::move(key), [&] { return buildSmoothSchedule(weights); });
}

std::shared_ptr<const RingHashTable> TableCache::ring(const Cluster& cluster) {
  std::string key = absl::StrCat(cluster.lb.ring_min_size, "-", cluster.lb.ring_max_size, "\n");
  appendEndpoints(key, cluster.endpoints);
  return getOrBuild(rings_, std::move(key), [&] {
    return RingHashTable::build(cluster.endpoints, cluster.lb.ring_min_size,
                                cluster.lb.ring_max_size);
  });
}

std::shared_ptr<const MaglevTable> TableCache::maglev(const Cluster& cluster) {
  std::string key = absl::StrCat(cluster.lb.maglev_table_size, "\n");
  appendEndpoints(key, cluster.endpoints);
  return getOrBuild(maglevs_, std::move(key), [&] {
    return MaglevTable::build(cluster.endpoints, cluster.lb.maglev_table_size);
  });
}

size_t TableCache::entries() const {
  std::lock_guard lock(mu_);
  return schedules_.size() + rings_.size() + maglevs_.size();
}

}  // namespace portico::dp::upstream::lb
