#pragma once

// Counts one request in flight to an endpoint (EndpointState::active_requests, read by the
// least_request balancer on every worker) for as long as the guard lives: the router holds one
// around each upstream exchange, so every way out of the exchange (answer, error, timeout,
// cancellation) gives the count back.

#include "data-plane/upstream/endpoint_state.h"

namespace portico::dp::upstream {

class ActiveRequest {
 public:
  explicit ActiveRequest(EndpointState& state) : state_(state) {
    state_.active_requests.fetch_add(1, std::memory_order_relaxed);
  }
  ~ActiveRequest() { state_.active_requests.fetch_sub(1, std::memory_order_relaxed); }
  ActiveRequest(const ActiveRequest&) = delete;
  ActiveRequest& operator=(const ActiveRequest&) = delete;

 private:
  EndpointState& state_;
};

}  // namespace portico::dp::upstream
