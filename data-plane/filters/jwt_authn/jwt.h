#pragma once

// A compact-serialised JWS carrying JWT claims (RFC 7515 §7.1, RFC 7519), parsed but not yet
// verified. Parsing checks the shape only: three non-empty base64url segments (strict, see
// base64url.h); a header and a payload that are JSON objects (UTF-8, nesting ≤ 32); a supported
// "alg" (never "none"); no "crit" header (we implement no extensions, RFC 7515 §4.1.11); and
// the registered claims we use with their RFC 7519 types (iss, jti: strings; aud: a string or
// an array of strings; exp, nbf: numbers). Keys named by the token ("jku", "x5u", "jwk") are
// ignored: keys only ever come from the provider's own key set.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "data-plane/filters/jwt_authn/algorithm.h"
#include "data-plane/filters/jwt_authn/jwt_status.h"

namespace boost::json {
class object;
}

namespace portico::dp::filters::jwt_authn {

struct Jwt {
  Algorithm alg = Algorithm::kRS256;
  std::string kid;  // empty when the header has none
  std::string signature;  // decoded
  std::string payload_b64;  // as received (for forward_payload_header)
  std::shared_ptr<const boost::json::object> claims;  // the payload

  // Registered claims, copied out of `claims`.
  std::optional<std::string> iss;
  std::vector<std::string> audiences;
  std::optional<int64_t> exp;
  std::optional<int64_t> nbf;
  std::string jti;  // empty when absent
};

// Parses `token` into `out`. On kOk, `signing_input` is the part of `token` the signature covers
// ("<header>.<payload>"). Anything else is kMalformed or kBadAlgorithm.
JwtStatus parseJwt(std::string_view token, Jwt& out, std::string_view& signing_input);

}  // namespace portico::dp::filters::jwt_authn
