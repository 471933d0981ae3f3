#include "data-plane/filters/rate_limit/limiter_registry.h"

namespace portico::dp::http {

std::shared_ptr<filters::rate_limit::BucketTable> RateLimiterRegistry::get(
    const std::string& identity, const filters::rate_limit::BucketShape& shape,
    filters::rate_limit::BucketTable::Clock::duration interval) {
  std::lock_guard lock(mu_);
  absl::erase_if(tables_, [](const auto& entry) { return entry.second.expired(); });
  if (auto it = tables_.find(identity); it != tables_.end()) {
    if (auto table = it->second.lock()) return table;
  }
  auto table = std::make_shared<filters::rate_limit::BucketTable>(shape, interval);
  tables_[identity] = table;
  return table;
}

}  // namespace portico::dp::http
