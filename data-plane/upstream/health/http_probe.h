#pragma once

// One active HTTP health check of one endpoint: connect, send
//   GET <path> HTTP/1.1 / Host: <host> / User-Agent: portico-health-check / Connection: close
// and read the response head and body, all within the check's timeout. A new connection per
// check (Connection: close): it also proves the endpoint still accepts connections, needs no
// pooling or stale-connection handling on the checker, and at intervals of seconds costs one
// handshake per endpoint per interval.
//
// Threading: runs on the health checker's io_context.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <string>

#include "data-plane/upstream/cluster.h"

namespace portico::dp::upstream::health {

enum class ProbeOutcome { kSuccess, kFailure, kTimeout };

struct ProbeResult {
  ProbeOutcome outcome = ProbeOutcome::kFailure;
  unsigned status = 0;  // the response status, when one arrived
  std::string detail;   // why it failed, for logs
};

// `host` is the Host header (the config's host, else the cluster name). Takes its arguments by
// value: the caller's config may be replaced while the check runs.
boost::asio::awaitable<ProbeResult> probeHttp(boost::asio::ip::tcp::endpoint address, HealthCheck check,
                                              std::string host);

// "success", "failure", "timeout": the `result` label of portico_proxy_health_checks_total.
const char* outcomeName(ProbeOutcome outcome);

}  // namespace portico::dp::upstream::health
