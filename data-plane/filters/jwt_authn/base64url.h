#pragma once

// base64url (RFC 4648 §5) as JWS uses it (RFC 7515 §2 and Appendix C): no padding, no line
// breaks, no whitespace. Decoding is strict so that one value has exactly one encoding: a
// token whose segments carry padding, characters outside the URL-safe alphabet, an impossible
// length (4k+1) or non-zero unused bits is refused rather than repaired.

#include <string>
#include <string_view>

namespace portico::dp::filters::jwt_authn {

// Decodes `in` into `out` (replacing its contents; capacity is reused). False on any deviation
// from the strict form above; `out` is then unspecified.
bool base64UrlDecode(std::string_view in, std::string& out);

// Encodes without padding.
std::string base64UrlEncode(std::string_view in);

}  // namespace portico::dp::filters::jwt_authn
