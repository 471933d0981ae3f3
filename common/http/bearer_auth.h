#pragma once

// A shared bearer token guarding an HTTP API (RFC 6750): every request must carry
// `Authorization: Bearer <token>`, except on a few open paths (health probes). The expected
// token is kept only as its SHA-256 digest, and a presented token is hashed and compared with
// CRYPTO_memcmp, so the comparison takes the same time whatever the token and its length.
//
// Threading: immutable after construction; check() may be called from any thread.

#include <array>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "common/http/http_types.h"

namespace portico::http {

inline constexpr size_t kMinBearerTokenBytes = 16;

// Checks a configured token: at least kMinBearerTokenBytes characters of RFC 6750's b64token
// alphabet (A-Z a-z 0-9 - . _ ~ + / and trailing '='), so it fits an Authorization header.
absl::Status validateBearerToken(std::string_view token);

// Reads a token file: its content without surrounding whitespace (a trailing newline is
// normal), validated. The error names the path.
absl::StatusOr<std::string> readBearerTokenFile(const std::string& path);

class BearerAuth {
 public:
  enum class Result { kOk, kMissing, kInvalid };

  // `token` must be valid (validateBearerToken); `open_paths` are exact decoded paths served
  // without a token.
  BearerAuth(std::string_view token, std::set<std::string, std::less<>> open_paths);

  // Verifies an Authorization header value ("Bearer <token>", scheme case-insensitive); a
  // null header is kMissing.
  Result verify(const std::string* authorization) const;

  // nullopt when the request may proceed; otherwise the 401 answer to send: JSON
  // {"error": "unauthorized", "message"} with WWW-Authenticate: Bearer realm="portico".
  std::optional<HttpResponse> check(const HttpRequest& request) const;

  bool isOpen(std::string_view path) const { return open_paths_.count(path) > 0; }

 private:
  std::array<uint8_t, 32> digest_;
  std::set<std::string, std::less<>> open_paths_;
};

}  // namespace portico::http
