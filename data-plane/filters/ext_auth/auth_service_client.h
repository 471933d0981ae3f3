#pragma once

// The HTTP(S) call to an external authorization service: one request, one answer, a new
// connection per call (Connection: close) within one deadline that covers name resolution,
// connect, the TLS handshake, the write and the read. Allowed answers are cached by the
// filter (ext_auth_filter.h), so calls are per identity and TTL, not per request; a pool would
// save a handshake per call at the cost of stale-connection handling. HTTPS verifies the
// service's certificate against the system's trust store and its name (SNI + hostname check).
//
// Threading: runs on the calling worker's io_context.

#include <boost/asio/ssl/context.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "data-plane/net/executor.h"
#include "data-plane/router/message.h"

namespace portico::dp::filters::ext_auth {

struct AuthTarget {
  bool tls = false;
  std::string host;  // name or IP literal (brackets removed)
  uint16_t port = 0;
  std::string path;        // path and query of the URL; "/" when it has none
  std::string host_header; // host[:port] as written in the URL
};

// "http://host[:port][/path]" or "https://…". Errors name what is wrong.
absl::StatusOr<AuthTarget> parseAuthUrl(const std::string& url);

// What came back: a response, or why there was none ("timeout", "connect: …").
struct AuthAnswer {
  bool ok = false;
  router::Response response;
  std::string error;
};

// Sends `request` (its target, method and headers already set; Host and Connection are set
// here) and reads the answer (at most 64 KiB). `tls_context` is used for https targets.
net::Awaitable<AuthAnswer> callAuthService(const AuthTarget& target, boost::asio::ssl::context* tls_context,
                                           router::Request request, std::chrono::steady_clock::duration timeout);

}  // namespace portico::dp::filters::ext_auth
