#include "data-plane/upstream/outlier/outlier_detector.h"

#include <algorithm>

#include "common/logging.h"

namespace portico::dp::upstream::outlier {

namespace {

int64_t toNs(absl::Duration d) { return absl::ToInt64Nanoseconds(d); }

// Envoy's rule: eject while the share of the cluster's endpoints already ejected is below
// max_ejection_percent — so with any percentage above 0 one endpoint can always be ejected.
bool underEjectionCap(const Cluster& cluster, const OutlierDetection& config, int64_t now_ns) {
  if (cluster.endpoints.empty()) return false;
  size_t ejected = 0;
  for (const Endpoint& endpoint : cluster.endpoints) {
    ejected += endpoint.state->ejected(now_ns) ? 1 : 0;
  }
  return 100.0 * static_cast<double>(ejected) / static_cast<double>(cluster.endpoints.size()) <
         static_cast<double>(config.max_ejection_percent);
}

// Tries to eject; false when the cap, the enforcing percentage or a racing worker says no.
bool eject(const Cluster& cluster, const Endpoint& endpoint, uint32_t enforcing, int64_t now_ns,
           uint64_t random) {
  const OutlierDetection& config = *cluster.outlier;
  EndpointState& state = *endpoint.state;
  int64_t previous_until = state.ejected_until_ns.load(std::memory_order_relaxed);
  if (previous_until > now_ns) return false;  // already ejected
  if (random % 100 >= enforcing || !underEjectionCap(cluster, config, now_ns)) return false;
  uint32_t times = decayedTimesEjected(config, state.times_ejected.load(std::memory_order_relaxed),
                                       previous_until, now_ns);
  // Stop counting once base × times reaches the maximum: the duration cannot grow further,
  // and a smaller count decays back sooner.
  if (toNs(config.base_ejection_time) * static_cast<int64_t>(times) <
      ejectionDurationNs(config, UINT32_MAX)) {
    ++times;
  }
  const int64_t until = now_ns + ejectionDurationNs(config, times);
  if (!state.ejected_until_ns.compare_exchange_strong(previous_until, until,
                                                      std::memory_order_relaxed)) {
    return false;  // another worker ejected it first
  }
  state.times_ejected.store(times, std::memory_order_relaxed);
  return true;
}

// Counts one failure on `counter`; at `threshold` tries to eject (and starts counting anew,
// Envoy's reset, so the next run of failures is judged on its own).
bool countFailure(std::atomic<uint32_t>& counter, uint32_t threshold, uint32_t enforcing,
                  const Cluster& cluster, const Endpoint& endpoint, int64_t now_ns,
                  uint64_t random) {
  const uint32_t count = counter.fetch_add(1, std::memory_order_relaxed) + 1;
  if (threshold == 0 || count < threshold || endpoint.state->ejected(now_ns)) return false;
  counter.store(0, std::memory_order_relaxed);
  return eject(cluster, endpoint, enforcing, now_ns, random);
}

}  // namespace

TryResult resultForStatus(unsigned status) {
  if (status == 502 || status == 503 || status == 504) return TryResult::kGatewayFailure;
  return status >= 500 && status <= 599 ? TryResult::k5xx : TryResult::kSuccess;
}

int64_t ejectionDurationNs(const OutlierDetection& config, uint32_t times) {
  const int64_t base = toNs(config.base_ejection_time);
  const int64_t cap = std::max(base, toNs(config.max_ejection_time));
  if (base <= 0) return 0;
  // times > cap / base: base × times is past the cap (and might overflow).
  return times > cap / base ? cap : std::min(cap, base * static_cast<int64_t>(times));
}

uint32_t decayedTimesEjected(const OutlierDetection& config, uint32_t times,
                             int64_t unejected_at_ns, int64_t now_ns) {
  const int64_t interval = toNs(config.interval);
  if (times == 0 || unejected_at_ns <= 0 || interval <= 0 || now_ns <= unejected_at_ns)
    return times;
  const int64_t steps = (now_ns - unejected_at_ns) / interval;
  return steps >= times ? 0 : times - static_cast<uint32_t>(steps);
}

std::optional<EjectionReason> recordResult(const Cluster& cluster, const Endpoint& endpoint,
                                           TryResult result, int64_t now_ns, uint64_t random) {
  if (!cluster.outlier) return std::nullopt;
  const OutlierDetection& config = *cluster.outlier;
  EndpointState& state = *endpoint.state;
  if (result == TryResult::kSuccess) {
    // Plain stores, not exchanges: a success is the common case and must stay cheap; skip the
    // write when there is nothing to reset so the cache line stays shared.
    if (state.consecutive_5xx.load(std::memory_order_relaxed) != 0) {
      state.consecutive_5xx.store(0, std::memory_order_relaxed);
    }
    if (state.consecutive_gateway_failures.load(std::memory_order_relaxed) != 0) {
      state.consecutive_gateway_failures.store(0, std::memory_order_relaxed);
    }
    return std::nullopt;
  }
  std::optional<EjectionReason> reason;
  // Envoy: a gateway failure counts for both detectors; any other 5xx breaks a gateway run.
  if (result == TryResult::kGatewayFailure) {
    if (countFailure(state.consecutive_gateway_failures, config.consecutive_gateway_failure,
                     config.enforcing_consecutive_gateway_failure, cluster, endpoint, now_ns,
                     random)) {
      reason = EjectionReason::kConsecutiveGatewayFailure;
    }
  } else if (state.consecutive_gateway_failures.load(std::memory_order_relaxed) != 0) {
    state.consecutive_gateway_failures.store(0, std::memory_order_relaxed);
  }
  if (!reason &&
      countFailure(state.consecutive_5xx, config.consecutive_5xx, config.enforcing_consecutive_5xx,
                   cluster, endpoint, now_ns, random)) {
    reason = EjectionReason::kConsecutive5xx;
  }
  if (reason) {
    ClusterCounters::bump(cluster.state->counters.ejections[static_cast<int>(*reason)]);
    PORTICO_LOG(kInfo, "outlier detection: ejected ", endpoint.key, " of cluster \"", cluster.name,
                "\" (", ejectionReasonName(*reason), ", ejection ",
                state.times_ejected.load(std::memory_order_relaxed), ")");
  }
  return reason;
}

}  // namespace portico::dp::upstream::outlier
