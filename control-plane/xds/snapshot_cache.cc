#include "control-plane/xds/snapshot_cache.h"

#include <tuple>
#include <vector>

namespace portico::cp::xds {

SnapshotPtr SnapshotCache::getLocked(const std::string& group) const {
  auto it = snapshots_.find(group);
  if (it == snapshots_.end()) {
    it = snapshots_.find(kDefaultGroup);
  }
  return it == snapshots_.end() ? nullptr : it->second;
}

SnapshotPtr SnapshotCache::get(const std::string& group) const {
  std::lock_guard<std::mutex> lock(mu_);
  return getLocked(group);
}

void SnapshotCache::set(const std::string& group, SnapshotPtr snapshot) {
  std::lock_guard<std::mutex> dispatch(dispatch_mu_);
  std::vector<std::pair<SnapshotWatcher*, SnapshotPtr>> targets;
  {
    std::lock_guard<std::mutex> lock(mu_);
    snapshots_[group] = std::move(snapshot);
    for (const auto& [watcher, watched] : watchers_) {
      if (watched == group || (group == kDefaultGroup && snapshots_.count(watched) == 0)) {
        targets.emplace_back(watcher, getLocked(watched));
      }
    }
  }
  for (const auto& [watcher, current] : targets) {
    watcher->onSnapshot(group, current);
  }
}

void SnapshotCache::setAll(std::map<std::string, SnapshotPtr> snapshots) {
  std::lock_guard<std::mutex> dispatch(dispatch_mu_);
  std::vector<std::tuple<SnapshotWatcher*, std::string, SnapshotPtr>> targets;
  {
    std::lock_guard<std::mutex> lock(mu_);
    std::map<SnapshotWatcher*, SnapshotPtr> before;
    for (const auto& [watcher, watched] : watchers_) before[watcher] = getLocked(watched);
    snapshots_ = std::move(snapshots);
    for (const auto& [watcher, watched] : watchers_) {
      SnapshotPtr now = getLocked(watched);
      if (now != before[watcher]) targets.emplace_back(watcher, watched, now);
    }
  }
  for (const auto& [watcher, group, snapshot] : targets) {
    watcher->onSnapshot(group, snapshot);
  }
}

void SnapshotCache::add(SnapshotWatcher* watcher, const std::string& group) {
  std::lock_guard<std::mutex> lock(mu_);
  watchers_[watcher] = group;
}

void SnapshotCache::remove(SnapshotWatcher* watcher) {
  std::lock_guard<std::mutex> dispatch(dispatch_mu_);
  std::lock_guard<std::mutex> lock(mu_);
  watchers_.erase(watcher);
}

}  // namespace portico::cp::xds
