#pragma once

// Per-worker keep-alive connections to upstream endpoints, keyed by Endpoint::pool_key (cluster
// and "ip:port"). Used only on its worker's thread: no locks. Idle connections older than the
// idle timeout are dropped when next looked at; at most `max_idle_per_endpoint` are kept per
// endpoint.

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "data-plane/net/connection_deadline.h"
#include "data-plane/upstream/active_request.h"
#include "data-plane/upstream/cluster_state.h"
#include "data-plane/upstream/pool_key.h"

namespace portico::dp::upstream {

struct UpstreamConnection {
  explicit UpstreamConnection(net::Executor executor) : socket(std::move(executor)) {}
  // The cluster's max_connections slot, given back when the connection is destroyed (closed
  // after an exchange, dropped from the idle pool, or at shutdown). The shared pointer keeps
  // the ClusterState alive for a pooled connection that outlives every snapshot naming the
  // cluster; declared first so the slot is released before it.
  std::shared_ptr<ClusterState> cluster_state;
  ResourceSlot connection_slot;
  OpenConnection endpoint_connection;  // EndpointState::connections
  net::Socket socket;
  // The current exchange's deadline (connect, or request to response); a pooled idle
  // connection has none (the pool's idle timeout applies). See net/connection_deadline.h.
  net::ConnectionDeadline deadline{socket};
  boost::beast::flat_buffer buffer;
  std::string head;  // reused request-head buffer (see http/wire_writer.h)
  std::chrono::steady_clock::time_point idle_since;
  uint32_t requests = 0;  // requests served on this connection so far
};
using UpstreamConnectionPtr = std::unique_ptr<UpstreamConnection>;

class ConnPool {
 public:
  struct Options {
    std::chrono::seconds idle_timeout{30};
    size_t max_idle_per_endpoint = 128;
  };
  explicit ConnPool(Options options) : options_(options) {}

  using Clock = std::chrono::steady_clock;
  // An idle connection to `key`, or null. `now`: the caller's clock reading (the idle timeout
  // is seconds; a reading from the start of the exchange is close enough and saves one).
  UpstreamConnectionPtr take(const PoolKey& key, Clock::time_point now);
  UpstreamConnectionPtr take(const PoolKey& key) { return take(key, Clock::now()); }
  // Returns a connection after a complete exchange that allows keep-alive. A `now` from before
  // the exchange makes it count as idle from then: it expires early by the exchange's duration,
  // never late (after an exchange longer than the idle timeout it is not reused at all; a new
  // connection for such a slow upstream costs little next to the exchange).
  void put(const PoolKey& key, UpstreamConnectionPtr connection, Clock::time_point now);
  void put(const PoolKey& key, UpstreamConnectionPtr connection) { put(key, std::move(connection), Clock::now()); }
  size_t idleCount() const;

 private:
  Options options_;
  absl::flat_hash_map<PoolKey, std::vector<UpstreamConnectionPtr>, PoolKey::Hash> idle_;
};

}  // namespace portico::dp::upstream
