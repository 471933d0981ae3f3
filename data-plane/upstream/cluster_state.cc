#include "data-plane/upstream/cluster_state.h"

#include <algorithm>
#include <cmath>

namespace portico::dp::upstream {

const char* resourceName(Resource resource) {
  switch (resource) {
    case Resource::kConnections: return "connections";
    case Resource::kPendingRequests: return "pending_requests";
    case Resource::kRequests: return "requests";
    case Resource::kRetries: return "retries";
  }
  return "unknown";
}

const char* ejectionReasonName(EjectionReason reason) {
  switch (reason) {
    case EjectionReason::kConsecutive5xx: return "consecutive_5xx";
    case EjectionReason::kConsecutiveGatewayFailure: return "consecutive_gateway_failure";
  }
  return "unknown";
}

uint32_t CircuitBreakerLimits::limit(Resource resource) const {
  switch (resource) {
    case Resource::kConnections: return max_connections;
    case Resource::kPendingRequests: return max_pending_requests;
    case Resource::kRequests: return max_requests;
    case Resource::kRetries: return max_retries;
  }
  return 0;
}

ResourceSlot& ResourceSlot::operator=(ResourceSlot&& other) noexcept {
  if (this != &other) {
    release();
    state_ = std::exchange(other.state_, nullptr);
    resource_ = other.resource_;
  }
  return *this;
}

void ResourceSlot::release() {
  if (state_ != nullptr) {
    state_->gauges_[static_cast<int>(resource_)].fetch_sub(1, std::memory_order_relaxed);
    state_ = nullptr;
  }
}

ResourceSlot ClusterState::tryAcquire(Resource resource, const CircuitBreakerLimits& limits) {
  uint32_t limit = limits.limit(resource);
  if (resource == Resource::kRetries && limits.has_retry_budget) {
    // Envoy: retries may use budget_percent of the requests (active plus pending) in flight,
    // and never fewer than min_retry_concurrency.
    const double active = inUse(Resource::kRequests) + inUse(Resource::kPendingRequests);
    limit = std::max(limits.min_retry_concurrency,
                     static_cast<uint32_t>(std::floor(active * limits.budget_percent / 100.0)));
  }
  auto& gauge = gauges_[static_cast<int>(resource)];
  if (gauge.fetch_add(1, std::memory_order_relaxed) >= limit) {
    gauge.fetch_sub(1, std::memory_order_relaxed);
    ClusterCounters::bump(counters.breaker_open[static_cast<int>(resource)]);
    return {};
  }
  return ResourceSlot(this, resource);
}

}  // namespace portico::dp::upstream
