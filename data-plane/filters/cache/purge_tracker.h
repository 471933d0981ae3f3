#pragma once

// Which purge commands a proxy still has to apply. The control plane sends its most recent
// purges, numbered 1, 2, 3... within an epoch, with every config push (cache.proto, Cache.purges);
// the proxy remembers the epoch and the last id it applied:
// - same epoch: the purges with a larger id are new; when the oldest one listed is more than
//   one past the last applied, some rolled off the list while the proxy was away, and nothing
//   tells which entries they meant: everything is purged instead;
// - another epoch (a restarted control plane, or the first list this proxy sees): every listed
//   purge is applied (on a proxy that just started they find nothing to remove).
// Epoch 0 means the control plane keeps no purge list: ignored.
//
// Threading: not thread-safe; used on the xDS thread.

#include <cstdint>
#include <string>
#include <vector>

#include "data-plane/filters/cache/response_store.h"

namespace portico::dp::filters::cache {

struct PurgeCommand {
  uint64_t id = 0;
  PurgeMatch match;
};

struct PurgePlan {
  bool purge_all = false;
  std::vector<PurgeCommand> commands;  // to apply in order (none when purge_all)
  bool empty() const { return !purge_all && commands.empty(); }
};

class PurgeTracker {
 public:
  // The purges to apply for `list` (ascending ids) of `epoch`, and records them as applied.
  PurgePlan next(uint64_t epoch, const std::vector<PurgeCommand>& list);

  uint64_t epoch() const { return epoch_; }
  uint64_t lastApplied() const { return last_id_; }

 private:
  uint64_t epoch_ = 0;
  uint64_t last_id_ = 0;
};

}  // namespace portico::dp::filters::cache
