#pragma once

// Holds the current snapshot of every gateway group and wakes the ADS streams when one
// changes (go-control-plane's SnapshotCache, push-style).
//
// Threading: set() runs on the translator thread and calls watchers on that thread, under
// dispatch_mu_, so that remove() (from a stream's OnDone) returns only when no call into that
// watcher is in flight. Watchers must not call add()/remove() from inside onSnapshot().

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "absl/base/thread_annotations.h"
#include "control-plane/xds/snapshot.h"

namespace portico::cp::xds {

inline constexpr char kDefaultGroup[] = "default";

class SnapshotWatcher {
 public:
  virtual ~SnapshotWatcher() = default;
  // A group's snapshot changed. `group` is the group whose snapshot was set.
  virtual void onSnapshot(const std::string& group, const SnapshotPtr& snapshot) = 0;
};

class SnapshotCache {
 public:
  // Replaces the group's snapshot and notifies watchers of that group (and, for the default
  // group, watchers of groups that have no snapshot of their own).
  void set(const std::string& group, SnapshotPtr snapshot);
  // Replaces every group's snapshot at once (groups absent from `snapshots` are dropped, and
  // their proxies fall back to "default"); notifies each watcher whose snapshot changed.
  void setAll(std::map<std::string, SnapshotPtr> snapshots);
  // The group's snapshot; a group without its own gets the default group's. Null before the
  // first set().
  SnapshotPtr get(const std::string& group) const;

  void add(SnapshotWatcher* watcher, const std::string& group);
  void remove(SnapshotWatcher* watcher);

 private:
  SnapshotPtr getLocked(const std::string& group) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  std::mutex dispatch_mu_;  // held while calling watchers; taken before mu_
  mutable std::mutex mu_;
  std::map<std::string, SnapshotPtr> snapshots_ ABSL_GUARDED_BY(mu_);
  std::map<SnapshotWatcher*, std::string> watchers_ ABSL_GUARDED_BY(mu_);
};

}  // namespace portico::cp::xds
