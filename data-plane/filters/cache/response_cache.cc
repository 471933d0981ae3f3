#include "data-plane/filters/cache/response_cache.h"

#include "common/logging.h"
#include "common/strings.h"

namespace portico::dp::filters::cache {

ResponseCache::ResponseCache(size_t worker_count)
    : stats_(std::max<size_t>(worker_count, 1)),
      metrics_(std::make_shared<CacheMetrics>(stats_, store_)),
      purger_(std::make_unique<RedisPurger>(stats_)) {}

ResponseCache::~ResponseCache() = default;

void ResponseCache::stageRedis(std::string address) {
  std::lock_guard<std::mutex> lock(mu_);
  staged_redis_.insert(std::move(address));
}

void ResponseCache::beginCompile() {
  std::lock_guard<std::mutex> lock(mu_);
  staged_capacity_ = 0;
  staged_purges_present_ = false;
  staged_epoch_ = 0;
  staged_purges_.clear();
  staged_redis_.clear();
}

void ResponseCache::stageCapacity(uint64_t max_size_bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  staged_capacity_ = std::max(staged_capacity_, max_size_bytes);
}

void ResponseCache::stagePurges(uint64_t epoch, std::vector<PurgeCommand> purges) {
  std::lock_guard<std::mutex> lock(mu_);
  // Every listener's cache filter carries the same list; keep the newest should they differ.
  const uint64_t newest = purges.empty() ? 0 : purges.back().id;
  const uint64_t staged_newest = staged_purges_.empty() ? 0 : staged_purges_.back().id;
  if (!staged_purges_present_ || epoch != staged_epoch_ || newest > staged_newest) {
    staged_purges_present_ = true;
    staged_epoch_ = epoch;
    staged_purges_ = std::move(purges);
  }
}

PurgePlan ResponseCache::commit() {
  std::lock_guard<std::mutex> lock(mu_);
  store_.setCapacity(staged_capacity_);
  PurgePlan plan;
  if (staged_purges_present_) plan = tracker_.next(staged_epoch_, staged_purges_);
  if (plan.purge_all) {
    const size_t removed = store_.purge(PurgeMatch{});
    stats_.full_purges.fetch_add(1, std::memory_order_relaxed);
    stats_.purged_entries.fetch_add(removed, std::memory_order_relaxed);
    PORTICO_LOG(kWarning, "cache: purge commands were missed (the control plane's list moved on); purged all ",
                removed, " entries");
  }
  size_t removed = 0;
  for (const PurgeCommand& command : plan.commands) {
    removed += store_.purge(command.match);
    stats_.purges.fetch_add(1, std::memory_order_relaxed);
  }
  if (!plan.commands.empty()) {
    stats_.purged_entries.fetch_add(removed, std::memory_order_relaxed);
    PORTICO_LOG(kInfo, "cache: applied ", plan.commands.size(), " purge command(s) (ids ", plan.commands.front().id,
                "..", plan.commands.back().id, "), ", removed, " entries removed");
  }
  if (!plan.empty() && !staged_redis_.empty()) {
    purger_->apply(std::vector<std::string>(staged_redis_.begin(), staged_redis_.end()), tracker_.epoch(), plan);
    PORTICO_LOG(kInfo, "cache: applying ", plan.purge_all ? std::string("a purge of everything")
                                                          : cat(plan.commands.size(), " purge command(s)"),
                " to ", staged_redis_.size(), " redis server(s)");
  }
  staged_purges_present_ = false;
  staged_purges_.clear();
  return plan;
}

}  // namespace portico::dp::filters::cache
