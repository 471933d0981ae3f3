#pragma once

// One fetch of a remote JWKS document: GET over HTTPS with a deadline covering the whole
// exchange (resolve, connect, TLS handshake, request, response), the server's certificate
// verified against the given CA file (else the system's trust store) and its name or IP
// checked against the URI's host, TLS 1.2 or later, a 200 answer, a body of at most 1 MiB.
//
// Plain http:// is accepted only for a loopback host (127.0.0.0/8, ::1, localhost): keys fetched
// in the clear could be replaced by anyone on the path, and a replaced key set means forged
// identities. checkJwksUri() applies that rule at config time.
//
// Threading: runs on the caller's executor (the JWKS registry's thread); never on a worker.

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace portico::dp::filters::jwt_authn {

inline constexpr size_t kMaxJwksBytes = 1 << 20;

struct JwksFetchTarget {
  std::string uri;
  std::string ca_file;  // PEM; empty: the system's trust store
  std::chrono::milliseconds timeout{5000};
};

// OK for https:// URIs with a host, and for http:// URIs whose host is loopback.
absl::Status checkJwksUri(std::string_view uri);

// The response body, or why there is none ("timeout", "connect: …", "TLS handshake: …",
// "status 404", "body over 1048576 bytes"…).
boost::asio::awaitable<absl::StatusOr<std::string>> fetchJwksDocument(JwksFetchTarget target);

}  // namespace portico::dp::filters::jwt_authn
