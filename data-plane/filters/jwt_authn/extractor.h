#pragma once

// Finds a request's tokens where a set of providers looks for them (Envoy's Extractor): each
// distinct location (header + value prefix, or query parameter) once, remembering which
// providers named it — a token is only ever judged by a provider that looks where it was found.
// Headers come first, then query parameters; every value of a repeated header counts.
//
// Headers: the value must start with the prefix (compared case-insensitively: auth-schemes
// are, RFC 9110 §11.1); the token is the rest without surrounding blanks. Query parameters:
// the first value of the parameter, percent-decoded.
//
// Threading: immutable; extract() on workers.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "data-plane/filters/jwt_authn/provider.h"
#include "data-plane/router/message.h"

namespace portico::dp::filters::jwt_authn {

// More tokens than this in one request is refused (each costs a signature check).
inline constexpr size_t kMaxTokensPerRequest = 8;

struct ExtractedToken {
  std::string_view token;
  uint32_t location = 0;  // index into Extractor::locations()
};

// What extract() found. Views point into the request or into `decoded`.
struct Extracted {
  absl::InlinedVector<ExtractedToken, 2> tokens;
  std::vector<std::string> decoded;  // percent-decoded parameter values (capacity reserved up front)
  bool too_many = false;
};

class Extractor {
 public:
  struct Location {
    TokenLocation where;
    std::vector<const Provider*> providers;  // in provider order
  };

  explicit Extractor(const std::vector<const Provider*>& providers);

  void extract(const router::Request& request, std::string_view query, Extracted& out) const;
  const std::vector<Location>& locations() const { return locations_; }

 private:
  std::vector<Location> locations_;
};

// Removes the token's location from the request (JwtProvider.forward = false): every value of
// the header, or every occurrence of the parameter in the target's query.
void removeToken(router::Request& request, const TokenLocation& location);

}  // namespace portico::dp::filters::jwt_authn
