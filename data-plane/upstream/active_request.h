#pragma once

// RAII counters of an endpoint's load, read by every worker through the shared EndpointState.
//
// ActiveRequest: one request in flight to an endpoint (EndpointState::active_requests, what the
// least_request balancer compares) for as long as the guard lives. The router holds one around
// each try (forwardUpstream), so every way out of a try (answer, error, timeout, cancellation)
// gives the count back, and a retry counts on the endpoint it actually went to.
//
// OpenConnection: one open upstream connection to an endpoint (EndpointState::connections, shown
// in /clusters), held by the UpstreamConnection, so a close after an exchange, an idle drop
// from the pool and shutdown all give it back. It shares the EndpointState because a pooled
// connection can outlive every snapshot that names the endpoint.

#include <memory>
#include <utility>

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

class OpenConnection {
 public:
  OpenConnection() = default;
  explicit OpenConnection(std::shared_ptr<EndpointState> state) : state_(std::move(state)) {
    if (state_) state_->connections.fetch_add(1, std::memory_order_relaxed);
  }
  ~OpenConnection() {
    if (state_) state_->connections.fetch_sub(1, std::memory_order_relaxed);
  }
  OpenConnection(OpenConnection&& other) noexcept : state_(std::move(other.state_)) {}
  OpenConnection& operator=(OpenConnection&& other) noexcept {
    if (this != &other) {
      if (state_) state_->connections.fetch_sub(1, std::memory_order_relaxed);
      state_ = std::move(other.state_);
    }
    return *this;
  }
  OpenConnection(const OpenConnection&) = delete;
  OpenConnection& operator=(const OpenConnection&) = delete;

 private:
  std::shared_ptr<EndpointState> state_;
};

}  // namespace portico::dp::upstream
