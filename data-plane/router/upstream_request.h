#pragma once

// Forwards one request to an endpoint of a cluster over the worker's keep-alive pool and reads
// the complete response: one try. The circuit breakers are taken here (max_requests for the
// try; max_pending_requests and max_connections while a new connection is opened). Retries,
// per-try timeouts and outlier reporting are the caller's (retrying_forwarder.h). Runs on a
// worker thread.

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <optional>

#include "data-plane/http/added_fields.h"
#include "data-plane/http/raw_fields.h"
#include "data-plane/net/executor.h"
#include "data-plane/router/message.h"
#include "data-plane/upstream/cluster.h"
#include "data-plane/upstream/conn_pool.h"
#include "data-plane/upstream/pick_context.h"

namespace portico::dp::listener {
class Worker;
}

namespace portico::dp::router {

enum class UpstreamOutcome {
  kOk,
  kNoEndpoint,        // 503 no_healthy_upstream
  kConnectFailed,     // 502 upstream_connect_failed: refused, unreachable
  kConnectTimeout,    // 504 upstream_timeout: the cluster's connect timeout passed
  kTimeout,           // 504 upstream_timeout: the deadline passed (route or per-try timeout)
  kReset,             // 502 upstream_reset: the connection failed mid-exchange
  kBadResponse,       // 502 bad_upstream_response: unparseable response
  kResponseTooLarge,  // 502 bad_upstream_response: over the size limits
  kOverloaded,        // 503 overloaded: a circuit breaker of the cluster is open
};

struct UpstreamResult {
  UpstreamOutcome outcome = UpstreamOutcome::kOk;
  Response response;   // kOk only; its fields are in raw_fields until adopted
  http::RawFields raw_fields;  // kOk: the upstream's end-to-end header lines as received
  std::string detail;  // for logs and the local reply message
  std::string upstream_host;  // "ip:port" of the endpoint picked; "" when there was none
  // The endpoint picked (points into the snapshot the request pins); null when there was none.
  const upstream::Endpoint* endpoint = nullptr;
  upstream::Resource overloaded = upstream::Resource::kRequests;  // kOverloaded: which breaker
  uint32_t attempts = 1;  // tries made (retrying_forwarder.h)
  // A 101 Switching Protocols answer to an upgrade request (the request carries Upgrade): the
  // connection, now the upstream end of a tunnel (listener/tunnel.h). Never pooled.
  upstream::UpstreamConnectionPtr tunnel;
};

// `deadline` is the end of this try (time_point::max() for none). The request, with `added`
// after its fields (http/added_fields.h), must already carry the headers the upstream should
// see. `pick` goes to the load balancer (the route's hash, the endpoint to avoid). The try's
// result is written into `result`, which must be default-constructed (the caller's: a result
// returned by value was moved twice per coroutine layer).
net::Awaitable<void> forwardUpstream(listener::Worker& worker, const upstream::Cluster& cluster,
                                     Request& request, const http::AddedFields& added,
                                     std::chrono::steady_clock::time_point deadline,
                                     const upstream::PickContext& pick, UpstreamResult& result);

}  // namespace portico::dp::router
