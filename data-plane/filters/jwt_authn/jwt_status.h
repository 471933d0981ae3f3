#pragma once

// Why a token (or a request's set of tokens) was accepted or refused. Each value has a stable
// label — the `outcome` of portico_proxy_jwt_verifications_total and, prefixed with "jwt_", the
// "error" of the 401 body — and a human message for that body.

#include <cstdint>
#include <string_view>

namespace portico::dp::filters::jwt_authn {

enum class JwtStatus : uint8_t {
  kOk,
  kMissing,            // no token where the provider looks
  kTooLarge,           // over the size cap
  kTooMany,            // more tokens in one request than we verify
  kMalformed,          // not three base64url segments, not JSON objects, wrong claim types
  kBadAlgorithm,       // "alg" missing, "none", unknown, or not allowed for the provider
  kUnknownIssuer,      // "iss" is not the provider's
  kUnknownKid,         // no key of the provider matches the token's kid and alg
  kBadSignature,
  kExpired,
  kNotYetValid,
  kNoExpiration,       // the provider requires "exp"
  kAudienceNotAllowed,
  kMissingClaim,       // a claim the provider's policy requires is absent
  kRevoked,            // the token's "jti" is on the revocation list
  kJwksUnavailable,    // a remote key set could not be fetched and none is cached
  kCount,
};

// "ok", "missing", "expired", ...: bounded, for metric labels and error codes.
std::string_view statusLabel(JwtStatus status);
// "Jwt is expired", ...: for the 401 body.
std::string_view statusMessage(JwtStatus status);

}  // namespace portico::dp::filters::jwt_authn
