#pragma once

// A claim as a request header value (claim_to_headers, consumer_claim): strings as they are,
// integers in decimal, other numbers in their shortest round-trip form, booleans as
// "true"/"false" (Envoy's rules); arrays, objects and null have no header form. A value a
// header cannot carry safely (or an empty one) — control characters (CR and LF above all: header injection),
// DEL, or more than 4 KiB — has none either.

#include <optional>
#include <string>

namespace boost::json {
class value;
}

namespace portico::dp::filters::jwt_authn {

inline constexpr size_t kMaxClaimHeaderBytes = 4096;

std::optional<std::string> claimHeaderValue(const boost::json::value& value);

}  // namespace portico::dp::filters::jwt_authn
