#include "data-plane/filters/cache/purge_tracker.h"

#include <algorithm>

namespace portico::dp::filters::cache {

PurgePlan PurgeTracker::next(uint64_t epoch, const std::vector<PurgeCommand>& list) {
  PurgePlan plan;
  if (epoch == 0) return plan;
  const uint64_t newest = list.empty() ? 0 : list.back().id;
  if (epoch != epoch_) {
    epoch_ = epoch;
    last_id_ = newest;
    plan.commands = list;
    return plan;
  }
  if (list.empty() || newest <= last_id_) return plan;
  if (list.front().id > last_id_ + 1) {
    plan.purge_all = true;  // ids last_id_+1 .. front-1 are gone: their targets are unknown
  } else {
    for (const PurgeCommand& command : list) {
      if (command.id > last_id_) plan.commands.push_back(command);
    }
  }
  last_id_ = newest;
  return plan;
}

}  // namespace portico::dp::filters::cache
