#pragma once

// One request's state in the HTTP session beyond its message (http_session.cc), shared with
// the code that builds its response (outcome.h).

#include <string>
#include <string_view>

#include "common/xds/hcm_extensions.h"
#include "data-plane/config/snapshot.h"
#include "data-plane/http/active_filter.h"
#include "data-plane/http/filter.h"

namespace portico::dp::listener {

// One request's state beyond its message: the pinned snapshot (which keeps the listener config
// and the route alive until the access log line is written), the request id and its header
// rules, and what the access log records.
struct RequestContext {
  config::SnapshotPtr snapshot;
  const config::ListenerConfig* listener = nullptr;  // null: no snapshot, or listener removed
  std::string request_id;
  std::string_view id_header = portico::xds::kDefaultRequestIdHeader;
  bool echo_id = true;
  std::string original_target;  // the target as received; only when the listener logs
  std::string_view route_name;  // the matched route's name (points into the snapshot)
  std::string upstream_host;    // the endpoint tried, "ip:port"
  // The client's address: the TCP peer, or the X-Forwarded-For entry the listener's trusted
  // hops select (http/forwarded_headers.h). What rate limiting, hashing on the client IP and
  // the access log's client_ip use. Set at the start of handle().
  std::string client_address;
  // Set by the session before handle(): the connection's scheme ("https" on a TLS listener),
  // and the subject of the client certificate it verified (empty: none).
  std::string_view scheme = "http";
  std::string_view client_cert_subject;
  // The route's filters and what they established (identity, CORS headers); the session runs
  // their encoders over whatever response the request gets (runEncoders).
  const http::ActiveFilters* filters = nullptr;
  http::FilterState filter_state;

  bool logs() const { return listener != nullptr && !listener->access_logs.empty(); }
};
}  // namespace portico::dp::listener
