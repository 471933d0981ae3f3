#pragma once

// The JWT revocation API on the control plane's admin server (ARCHITECTURE §9):
//   POST   /v1/jwt/revocations         {"jti": "...", "expires_at"?: unix seconds | "RFC 3339"}
//                                      201 added / 200 already listed (expiry replaced)
//   GET    /v1/jwt/revocations         {"revocations": [...], "count", "limit"}
//   DELETE /v1/jwt/revocations/{jti}   200, 404 when not listed
// Bad input gets 400 {"error", "message"} naming the field; a full list 409. Every change
// reaches the proxies through a normal (debounced) push of the jwt_policy filter config.

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "common/http/path_router.h"
#include "control-plane/registry/revocation_store.h"

namespace portico::cp::admin {

struct RevocationRequest {
  std::string jti;
  int64_t expires_at = 0;  // 0: none given
};

// Parses a POST body strictly: a JSON object with "jti" (required string) and "expires_at"
// (optional: unix seconds as an integer, an RFC 3339 time as a string, or null); anything else
// is an error. InvalidArgument with "field: problem".
absl::StatusOr<RevocationRequest> revocationFromJson(std::string_view body);

// Parses an expiry as given to the API or porticoctl: unix seconds ("1767225600") or an
// RFC 3339 time ("2026-01-01T00:00:00Z", "2026-01-01T01:00:00+01:00"). InvalidArgument naming
// "expires_at" otherwise.
absl::StatusOr<int64_t> parseExpiry(std::string_view text);

void addRevocationRoutes(http::PathRouter& router, registry::RevocationStore& store);

}  // namespace portico::cp::admin
