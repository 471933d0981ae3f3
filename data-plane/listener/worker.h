#pragma once

// A worker thread: its own io_context, its own SO_REUSEPORT acceptor per listener, its own
// upstream connection pool and load-balancing cursors. A connection lives and dies on one
// worker, so the request path takes no locks.
//
// Threading: publish(), addListener(), removeListener() and stop() may be called from any
// thread; they post to the worker. Everything else is for the worker's own thread.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "data-plane/net/batched_send.h"
#include "data-plane/net/executor.h"
#include "data-plane/config/snapshot.h"
#include "data-plane/http/access_log_writer.h"
#include "data-plane/http/request_id.h"
#include "data-plane/listener/proxy_stats.h"
#include "data-plane/router/route_stats.h"
#include "data-plane/upstream/conn_pool.h"
#include "data-plane/upstream/lb/worker_balancers.h"
#include "data-plane/upstream/pick_context.h"

namespace portico::dp::listener {

// The proxy's command-line defaults for what a listener's xDS configuration leaves unset
// (listener/http_settings.h), and the limits xDS does not carry.
struct WorkerLimits {
  uint32_t max_request_header_bytes = 64 << 10;
  uint32_t max_request_headers_count = 100;
  uint32_t max_request_line_bytes = 16 << 10;
  uint64_t max_request_body_bytes = 16 << 20;
  uint64_t max_response_body_bytes = 64 << 20;
  std::chrono::milliseconds request_header_timeout{30000};  // zero: none
  std::chrono::milliseconds idle_timeout{60000};            // zero: none
  // Plain-TCP writes of a loop turn in one io_uring_enter() (net/batched_send.h) when io_uring
  // can be set up; false: one sendmsg per write (--io_uring_writes).
  bool io_uring_writes = true;
};

class Worker {
 public:
  // `unrouted` counts requests answered before a route was chosen (404s, not ready).
  Worker(int index, ProxyStats& stats, router::RouteStats* unrouted, WorkerLimits limits);
  ~Worker();

  // Before start(): the proxy's zone and the load-balancing metrics.
  void configureLoadBalancing(upstream::lb::LbOptions options) { balancers_.configure(std::move(options)); }
  void start();
  void stop();

  // Any thread: swaps the snapshot the worker uses for new requests (RCU style).
  void publish(config::SnapshotPtr snapshot);
  // Any thread: starts accepting on `fd` (bound, listening, SO_REUSEPORT) for listener `name`.
  // The worker takes ownership of the fd.
  void addListener(const std::string& name, int fd);
  void removeListener(const std::string& name);
  // Any thread: graceful drain. Connections waiting for a request are closed now; requests in
  // flight finish and their responses carry "Connection: close". Listeners are closed by the
  // caller (ListenerManager) first.
  void drain();
  // Any thread: connections this worker still serves.
  int activeConnections() const { return active_connections_.load(std::memory_order_relaxed); }

  // Worker thread only.
  int index() const { return index_; }
  boost::asio::io_context& io() { return io_; }
  net::BatchedSender& sender() { return sender_; }
  const config::SnapshotPtr& snapshot() const { return snapshot_; }
  upstream::ConnPool& pool() { return pool_; }
  http::RequestIdGenerator& requestIds() { return request_ids_; }
  http::AccessLogWriter& accessLog() { return access_log_; }
  ProxyStats& stats() { return stats_; }
  router::RouteStats* unroutedStats() { return unrouted_; }
  const WorkerLimits& limits() const { return limits_; }
  bool draining() const { return draining_; }
  // A connection waiting for its next request or a handshake, which drain() closes. Linked into
  // the worker's list for as long as it lives: O(1) and no hashing, since one is made per read.
  class IdleWait {
   public:
    IdleWait(Worker& worker, net::Socket& socket) : worker_(worker), socket_(socket), next_(worker.idle_) {
      if (next_ != nullptr) next_->prev_ = this;
      worker.idle_ = this;
    }
    ~IdleWait() {
      if (prev_ != nullptr) prev_->next_ = next_;
      else worker_.idle_ = next_;
      if (next_ != nullptr) next_->prev_ = prev_;
    }
    IdleWait(const IdleWait&) = delete;
    IdleWait& operator=(const IdleWait&) = delete;

   private:
    friend class Worker;
    Worker& worker_;
    net::Socket& socket_;
    IdleWait* prev_ = nullptr;
    IdleWait* next_;
  };
  void connectionOpened() { active_connections_.fetch_add(1, std::memory_order_relaxed); }
  void connectionClosed() { active_connections_.fetch_sub(1, std::memory_order_relaxed); }
  // The endpoint for the next request to `cluster` by its load-balancing policy, or null when
  // it has none eligible (see upstream/lb/worker_balancers.h). No lock, no allocation.
  const upstream::Endpoint* pickEndpoint(const upstream::Cluster& cluster,
                                         const upstream::PickContext& context = {}) {
    return balancers_.pick(cluster, context);
  }
  // The same at `now` (the caller's clock reading, saving one).
  const upstream::Endpoint* pickEndpoint(const upstream::Cluster& cluster, const upstream::PickContext& context,
                                         std::chrono::steady_clock::time_point now) {
    return balancers_.pick(cluster, context, upstream::EndpointState::nsSinceEpoch(now));
  }

 private:
  void startAccepting(const std::string& name, std::shared_ptr<boost::asio::ip::tcp::acceptor> acceptor);

  const int index_;
  ProxyStats& stats_;
  router::RouteStats* const unrouted_;
  const WorkerLimits limits_;
  // One thread runs it, and every socket and timer of the worker is only ever touched on that
  // thread (other threads post to it): Asio's per-socket reactor locks are switched off
  // (UNSAFE_IO); the scheduler keeps its lock for those posts.
  // The idle list's head. Before io_: destroying io_ destroys suspended sessions, whose
  // IdleWaits unlink themselves from it.
  IdleWait* idle_ = nullptr;
  boost::asio::io_context io_{BOOST_ASIO_CONCURRENCY_HINT_UNSAFE_IO};
  net::BatchedSender sender_{io_, limits_.io_uring_writes};  // a turn's writes, one system call
  std::thread thread_;
  config::SnapshotPtr snapshot_;
  upstream::lb::WorkerBalancers balancers_;  // per cluster of snapshot_
  std::map<std::string, std::shared_ptr<boost::asio::ip::tcp::acceptor>> acceptors_;
  upstream::ConnPool pool_;
  http::RequestIdGenerator request_ids_;
  bool draining_ = false;
  std::atomic<int> active_connections_{0};
  // After io_: destroyed first, and its timer handler never runs once io_ has stopped.
  http::AccessLogWriter access_log_{io_};
};

}  // namespace portico::dp::listener
