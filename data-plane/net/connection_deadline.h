#pragma once

// A connection's deadline, enforced lazily: one steady_timer per connection instead of one
// timer arm and cancel per I/O operation (what beast::tcp_stream's expires_after costs: two
// reactor lock round trips and a cancelled-handler dispatch per read or write, ~10% of the
// proxy's user-space time at 60k requests/s). Moving the deadline later only stores a time;
// the timer, when it fires, re-arms for the stored deadline if that has not passed yet. Moving
// it earlier than the armed expiry re-arms at once, so a deadline is never late by more than
// the timer's own latency.
//
// When the deadline passes the socket is closed: the operation in progress, if any, completes
// with operation_aborted and `expired()` tells the caller it was a timeout; any later
// operation fails at once. A connection whose deadline passed is finished.
//
// Threading: the connection's worker thread only. The object must not outlive the socket; the
// timer's handler holds only a shared state, so destroying the deadline with a wait pending is
// safe.

#include <boost/asio/ip/tcp.hpp>
#include "data-plane/net/executor.h"

#include <chrono>
#include <memory>

namespace portico::dp::net {

class ConnectionDeadline {
 public:
  using Clock = std::chrono::steady_clock;

  explicit ConnectionDeadline(net::Socket& socket);
  ~ConnectionDeadline();
  ConnectionDeadline(const ConnectionDeadline&) = delete;
  ConnectionDeadline& operator=(const ConnectionDeadline&) = delete;

  void expiresAt(Clock::time_point deadline);
  void expiresAfter(Clock::duration timeout) { expiresAt(Clock::now() + timeout); }
  void expiresNever() { state_->deadline = Clock::time_point::max(); }
  // The deadline passed and the socket was closed.
  bool expired() const { return state_->expired; }

 private:
  struct State {
    explicit State(net::Socket& s) : socket(&s), timer(s.get_executor()) {}
    net::Socket* socket;  // null once the deadline is destroyed
    net::Timer timer;
    Clock::time_point deadline = Clock::time_point::max();
    Clock::time_point armed = Clock::time_point::max();  // max: no wait pending
    bool expired = false;
  };
  static void arm(const std::shared_ptr<State>& state, Clock::time_point at);
  static void onTimer(const std::shared_ptr<State>& state, const boost::system::error_code& ec);

  std::shared_ptr<State> state_;
};

}  // namespace portico::dp::net
