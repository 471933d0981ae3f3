#include "data-plane/net/connection_deadline.h"

namespace portico::dp::net {

ConnectionDeadline::ConnectionDeadline(net::Socket& socket)
    : state_(std::make_shared<State>(socket)) {}

ConnectionDeadline::~ConnectionDeadline() {
  state_->socket = nullptr;
  state_->timer.cancel();
}

void ConnectionDeadline::expiresAt(Clock::time_point deadline) {
  State& state = *state_;
  state.deadline = deadline;
  if (state.expired || deadline == Clock::time_point::max()) return;
  // A pending wait that ends no later than the deadline will re-arm for it when it fires.
  if (state.armed <= deadline) return;
  arm(state_, deadline);
}

void ConnectionDeadline::arm(const std::shared_ptr<State>& state, Clock::time_point at) {
  state->armed = at;
  state->timer.expires_at(at);  // cancels a pending wait: its handler sees operation_aborted
  state->timer.async_wait([state](const boost::system::error_code& ec) { onTimer(state, ec); });
}

void ConnectionDeadline::onTimer(const std::shared_ptr<State>& state, const boost::system::error_code& ec) {
  if (ec == boost::asio::error::operation_aborted || state->socket == nullptr) return;  // re-armed or gone
  state->armed = Clock::time_point::max();
  if (state->deadline == Clock::time_point::max()) return;  // no deadline now: nothing to wait for
  if (Clock::now() < state->deadline) {
    arm(state, state->deadline);  // moved later since the wait began
    return;
  }
  state->expired = true;
  boost::system::error_code ignored;
  state->socket->close(ignored);
}

}  // namespace portico::dp::net
