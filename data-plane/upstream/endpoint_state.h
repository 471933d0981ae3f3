#pragma once

// The mutable state of one upstream endpoint of one cluster, shared by every worker, by the
// active health checker and by every snapshot that contains the endpoint: a new snapshot (an
// EDS change, a config push) finds the same EndpointState in the StateRegistry, so an ejected or
// unhealthy endpoint stays so across updates and counters are not reset.
//
// Threading: fields are atomics written with relaxed ordering: each is an independent fact,
// read on the request path without locks. A reader may see a slightly stale value; the
// consequence is one more or one fewer request to an endpoint, never a crash.

#include <atomic>
#include <chrono>
#include <cstdint>

namespace portico::dp::upstream {

struct EndpointState {
  using Clock = std::chrono::steady_clock;

  // Active health checking (health/): true once the endpoint failed `unhealthy_threshold` checks
  // in a row, false again after `healthy_threshold` passes. Endpoints start healthy unless the
  // cluster asks for an initial check (Envoy starts them unhealthy until the first check only
  // when ignore_new_hosts_until_first_hc; we keep traffic flowing).
  std::atomic<bool> health_check_failed{false};

  // Outlier detection (outlier/): the steady-clock time (ns since epoch of Clock) until which
  // the endpoint is ejected; 0 = not ejected.
  std::atomic<int64_t> ejected_until_ns{0};
  std::atomic<uint32_t> times_ejected{0};
  std::atomic<uint32_t> consecutive_5xx{0};
  std::atomic<uint32_t> consecutive_gateway_failures{0};

  // Requests in flight to this endpoint over all workers (least_request) and open connections.
  // Written by every request on every worker: on a cache line of their own, so the fields above,
  // which every pick reads, stay shared in each core's cache instead of bouncing.
  alignas(64) std::atomic<int32_t> active_requests{0};
  std::atomic<int32_t> connections{0};

  static int64_t nowNs() { return nsSinceEpoch(Clock::now()); }
  static int64_t nsSinceEpoch(Clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
  }
  bool ejected(int64_t now_ns) const {
    return ejected_until_ns.load(std::memory_order_relaxed) > now_ns;
  }
  // Eligible for traffic: passing active health checks and not ejected.
  bool healthy(int64_t now_ns) const {
    return !health_check_failed.load(std::memory_order_relaxed) && !ejected(now_ns);
  }
};

}  // namespace portico::dp::upstream
