#pragma once

// Per-cluster mutable state shared by all workers and carried across snapshots (see
// endpoint_state.h): the circuit-breaker gauges. Envoy's circuit breakers are per cluster and
// per proxy, not per worker, so the gauges are atomics; trying to take a slot is one
// fetch_add, and a refused attempt gives its slot straight back.

#include <atomic>
#include <cstdint>
#include <utility>

namespace portico::dp::upstream {

// What a circuit breaker limits (Envoy's CircuitBreakers.Thresholds).
enum class Resource : uint8_t { kConnections, kPendingRequests, kRequests, kRetries };
inline constexpr int kResourceCount = 4;
const char* resourceName(Resource resource);  // "connections", "pending_requests", ...

struct CircuitBreakerLimits {
  // Envoy's defaults.
  uint32_t max_connections = 1024;
  uint32_t max_pending_requests = 1024;
  uint32_t max_requests = 1024;
  uint32_t max_retries = 3;
  // Retry budget (Envoy's thresholds.retry_budget): when set, the retry limit is
  // max(min_retry_concurrency, budget_percent of active requests) instead of max_retries.
  bool has_retry_budget = false;
  double budget_percent = 20.0;
  uint32_t min_retry_concurrency = 3;

  uint32_t limit(Resource resource) const;
};

class ClusterState;

// One taken slot of a resource; gives it back when destroyed. Move-only.
class ResourceSlot {
 public:
  ResourceSlot() = default;
  ResourceSlot(ClusterState* state, Resource resource) : state_(state), resource_(resource) {}
  ResourceSlot(ResourceSlot&& other) noexcept
      : state_(std::exchange(other.state_, nullptr)), resource_(other.resource_) {}
  ResourceSlot& operator=(ResourceSlot&& other) noexcept;
  ResourceSlot(const ResourceSlot&) = delete;
  ResourceSlot& operator=(const ResourceSlot&) = delete;
  ~ResourceSlot() { release(); }

  explicit operator bool() const { return state_ != nullptr; }
  void release();

 private:
  ClusterState* state_ = nullptr;
  Resource resource_ = Resource::kRequests;
};

// Why outlier detection ejected an endpoint (the `reason` label of the ejection metric).
enum class EjectionReason : uint8_t { kConsecutive5xx, kConsecutiveGatewayFailure };
inline constexpr int kEjectionReasonCount = 2;
const char* ejectionReasonName(EjectionReason reason);  // "consecutive_5xx", ...

// Resilience events of one cluster, counted on the failure paths only (never per successful
// request), so shared relaxed atomics are cheap enough; read by the metrics collector
// (cluster_metrics.h).
struct ClusterCounters {
  std::atomic<uint64_t> retries{0};         // retries started
  std::atomic<uint64_t> retry_overflow{0};  // retries not started: the retry breaker was open
  std::atomic<uint64_t> breaker_open[kResourceCount] = {};  // refused tryAcquire, per resource
  std::atomic<uint64_t> ejections[kEjectionReasonCount] = {};

  static void bump(std::atomic<uint64_t>& counter) { counter.fetch_add(1, std::memory_order_relaxed); }
};

class ClusterState {
 public:
  // Takes one slot of `resource` if the cluster is under its limit; an empty slot (false)
  // means the breaker is open (counted in counters.breaker_open): the caller answers 503 with
  // x-portico-overloaded, or does not retry.
  ResourceSlot tryAcquire(Resource resource, const CircuitBreakerLimits& limits);
  uint32_t inUse(Resource resource) const {
    return gauges_[static_cast<int>(resource)].load(std::memory_order_relaxed);
  }

  ClusterCounters counters;

 private:
  friend class ResourceSlot;
  std::atomic<uint32_t> gauges_[kResourceCount] = {};
};

}  // namespace portico::dp::upstream
