#include "data-plane/filters/jwt_authn/jwt_status.h"

namespace portico::dp::filters::jwt_authn {

namespace {

struct Text {
  std::string_view label;
  std::string_view message;
};

constexpr Text kTexts[static_cast<int>(JwtStatus::kCount)] = {
    {"ok", "Jwt is valid"},
    {"missing", "Jwt is missing"},
    {"too_large", "Jwt is too large"},
    {"too_many", "Too many Jwts in the request"},
    {"malformed", "Jwt is malformed"},
    {"bad_algorithm", "Jwt algorithm is missing, unsupported or not allowed"},
    {"unknown_issuer", "Jwt issuer is not configured"},
    {"unknown_kid", "Jwks has no key matching the kid and alg of the Jwt"},
    {"bad_signature", "Jwt verification fails"},
    {"expired", "Jwt is expired"},
    {"not_yet_valid", "Jwt is not yet valid"},
    {"no_expiration", "Jwt has no expiration"},
    {"audience_not_allowed", "Audiences in Jwt are not allowed"},
    {"missing_claim", "Jwt lacks a required claim"},
    {"revoked", "Jwt is revoked"},
    {"jwks_unavailable", "Jwks could not be fetched"},
};

}  // namespace

std::string_view statusLabel(JwtStatus status) {
  const int i = static_cast<int>(status);
  return i < static_cast<int>(JwtStatus::kCount) ? kTexts[i].label : "unknown";
}

std::string_view statusMessage(JwtStatus status) {
  const int i = static_cast<int>(status);
  return i < static_cast<int>(JwtStatus::kCount) ? kTexts[i].message : "Jwt verification fails";
}

}  // namespace portico::dp::filters::jwt_authn
