#pragma once

// One pipelined connection to a Redis server, owned by one worker and used only on its
// io_context (no locks). Every request on the worker that needs Redis sends its command through
// this connection: commands issued while earlier ones are in flight go out together in the
// next write (pipelining), and replies are matched to commands in order (RESP is FIFO).
//
// Failure handling, so that a Redis outage costs requests a bounded wait and no more:
// - every command waits at most its own timeout (DeadlineExceeded);
// - a command that times out on an established connection means the server is stalled (every
//   later reply is queued behind the missing one), so the connection is dropped and every
//   command in flight fails at once (Unavailable);
// - after a failure (refused, reset, stalled), commands fail immediately without touching the
//   network until the reconnect delay has passed (50 ms, doubling up to 1 s); the first command
//   after it reconnects. A reply resets the delay. So when Redis comes back, a proxy is using
//   it again within about a second, and while it is down each request learns so in
//   microseconds (and the filter fails open or closed as configured).
//
// Lifetime: shared_ptr; the coroutines reading and writing hold a reference, as Beast's
// sessions do, so the io_context's destruction frees a connection whose owner has gone.

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "data-plane/net/executor.h"
#include "data-plane/redis/reply.h"

namespace portico::metrics {
class ShardedCounter;
}

namespace portico::dp::redis {

class ReplyReader;

// Where a Redis server is: "host:port" or "[v6]:port".
struct Address {
  std::string host;
  std::string port;
  std::string text;  // as configured, for messages and labels
};
absl::StatusOr<Address> parseAddress(std::string_view text);

// Counters a connection bumps, per result (any may be null). Sharded by worker.
struct CommandCounters {
  metrics::ShardedCounter* ok = nullptr;           // a reply (including Redis error replies)
  metrics::ShardedCounter* timeout = nullptr;      // no reply in time
  metrics::ShardedCounter* unavailable = nullptr;  // not connected, or the connection broke
  int shard = 0;
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr Clock::duration kInitialRetryDelay = std::chrono::milliseconds(50);
  static constexpr Clock::duration kMaxRetryDelay = std::chrono::seconds(1);
  static constexpr Clock::duration kMinConnectTimeout = std::chrono::seconds(1);

  Connection(net::Executor executor, Address address, CommandCounters counters);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Sends one RESP-encoded command (command.h) and waits for its reply, at most `timeout`.
  // A Redis error reply is a Reply of type kError, not a Status: the caller decides.
  net::Awaitable<absl::StatusOr<Reply>> execute(std::string command, Clock::duration timeout);

  bool connected() const { return state_ == State::kConnected; }

  // Closes and drops the socket, for the process's exit (ClientRegistry::shutdown). Only while
  // the worker's io_context is not running.
  void shutdown();

 private:
  enum class State { kIdle, kConnecting, kConnected, kBroken };
  struct Waiter;
  struct Pending {
    Waiter* waiter;  // null once its caller gave up (the reply is then dropped)
  };

  void startConnect(Clock::duration timeout);
  static net::Awaitable<void> connect(std::shared_ptr<Connection> self, uint64_t generation,
                                      Clock::duration timeout);
  void startFlush();
  static net::Awaitable<void> flush(std::shared_ptr<Connection> self, std::shared_ptr<net::Socket> socket,
                                    uint64_t generation);
  static net::Awaitable<void> readLoop(std::shared_ptr<Connection> self, std::shared_ptr<net::Socket> socket,
                                       uint64_t generation);
  void deliver(Reply reply);
  void fail(std::string reason);
  void count(metrics::ShardedCounter* counter) const;

  net::Executor executor_;
  const Address address_;
  const CommandCounters counters_;
  State state_ = State::kIdle;
  uint64_t generation_ = 0;  // bumped by every connect and failure: stale coroutines stop
  std::shared_ptr<net::Socket> socket_;
  std::unique_ptr<ReplyReader> reader_;
  std::string write_buffer_;  // commands not yet handed to a write
  bool writing_ = false;
  std::deque<Pending> pending_;  // commands sent or buffered, oldest first
  uint64_t head_sequence_ = 0;   // sequence number of pending_.front()
  uint64_t next_sequence_ = 0;
  Clock::time_point retry_at_{};
  Clock::duration retry_delay_ = kInitialRetryDelay;
  std::string last_error_;
};

}  // namespace portico::dp::redis
