#pragma once

// Forwards one request to an endpoint of a cluster over the worker's keep-alive pool and reads
// the complete response. Runs on a worker thread.

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <chrono>
#include <optional>

#include "data-plane/upstream/cluster.h"
#include "data-plane/upstream/pick_context.h"

namespace portico::dp::listener {
class Worker;
}

namespace portico::dp::router {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;

enum class UpstreamOutcome {
  kOk,
  kNoEndpoint,      // 503
  kConnectFailed,   // 502
  kTimeout,         // 504: the route timeout passed
  kReset,           // 502: the connection failed mid-exchange
  kBadResponse,     // 502: unparseable or oversized response
};

struct UpstreamResult {
  UpstreamOutcome outcome = UpstreamOutcome::kOk;
  Response response;   // kOk only
  std::string detail;  // for logs and the local reply message
  std::string upstream_host;  // "ip:port" of the endpoint picked; "" when there was none
};

// `deadline` is the route timeout's end (time_point::max() for none). The request must already
// carry the headers the upstream should see. `pick` goes to the load balancer (the route's
// hash, the endpoint to avoid).
boost::asio::awaitable<UpstreamResult> forwardUpstream(listener::Worker& worker, const upstream::Cluster& cluster,
                                                       Request& request,
                                                       std::chrono::steady_clock::time_point deadline,
                                                       const upstream::PickContext& pick);

}  // namespace portico::dp::router
