#pragma once

// A Redis server as the proxy's filters use it: one pipelined connection per worker
// (connection.h), created on the worker's first command and kept for the process's lifetime,
// and Lua scripts run by digest (EVALSHA) with a fallback to EVAL when the server does not know
// the script yet (a new or restarted server).
//
// Threads: client objects are shared by every worker; each worker touches only its own slot.

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "data-plane/net/executor.h"
#include "data-plane/redis/connection.h"
#include "data-plane/redis/reply.h"

namespace portico::metrics {
class CounterFamily;
}

namespace portico::dp::redis {

// A Lua script and its SHA-1 digest (hex), computed once.
class Script {
 public:
  explicit Script(std::string text);
  const std::string& text() const { return text_; }
  const std::string& sha1() const { return sha1_; }

 private:
  std::string text_;
  std::string sha1_;
};

class Client {
 public:
  // `commands`: portico_proxy_redis_commands_total{address,result}, sharded by worker; may be
  // null.
  Client(Address address, size_t worker_count, metrics::CounterFamily* commands);

  const Address& address() const { return address_; }

  // See ClientRegistry::shutdown().
  void shutdown();

  // Runs one command on the calling worker's connection.
  net::Awaitable<absl::StatusOr<Reply>> execute(size_t worker, std::string command,
                                                Connection::Clock::duration timeout);

  // EVALSHA with `keys` and `args`; EVAL instead when the server answers NOSCRIPT. A Redis
  // error reply (the script failed) becomes an Internal status.
  net::Awaitable<absl::StatusOr<Reply>> runScript(size_t worker, const Script& script, std::vector<std::string> keys,
                                                  std::vector<std::string> args, Connection::Clock::duration timeout);

 private:
  Connection& connection(size_t worker, net::Executor executor);

  const Address address_;
  metrics::CounterFamily* commands_;
  std::vector<std::shared_ptr<Connection>> connections_;  // by worker
};

// A client outside any registry (unit tests, and filters compiled without one).
absl::StatusOr<std::shared_ptr<Client>> privateClient(std::string_view address, size_t worker_count);

// Every Redis server the process's filters use, by address. Kept across snapshots (filters of
// successive snapshots share connections); clients are never removed (a proxy talks to a
// handful of Redis servers).
class ClientRegistry {
 public:
  explicit ClientRegistry(size_t worker_count);
  ~ClientRegistry();

  // The client for "host:port"; created on first use. Called on the xDS thread.
  absl::StatusOr<std::shared_ptr<Client>> get(std::string_view address);

  // Drops every connection's socket. Called on the main thread after the workers stopped and
  // before their io_contexts are destroyed: a connection may outlive its worker's io_context
  // (a snapshot on another worker keeps its client), and must not hold a socket then.
  void shutdown();

  // portico_proxy_redis_commands_total, for the metrics exposition.
  std::shared_ptr<metrics::CounterFamily> commands() const { return commands_; }

 private:
  struct State;
  const size_t worker_count_;
  std::shared_ptr<metrics::CounterFamily> commands_;
  std::unique_ptr<State> state_;
};

}  // namespace portico::dp::redis
