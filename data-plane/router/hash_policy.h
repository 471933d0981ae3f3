#pragma once

// A route's hash policy (Envoy's RouteAction.hash_policy) and the request hash it yields for
// the ring_hash and Maglev balancers. Each policy hashes one value of the request with
// xxHash64 (seed 0, as Envoy): a header's value, a cookie's value, or the client's IP address.
// Several policies combine in order as Envoy does (the running hash rotated left by one bit,
// then XORed with the next); a policy marked `terminal` that produced a value ends the list.
// No policy producing a value → no hash: the balancer picks at random.
//
// Threading: compiled on the xDS thread, evaluated on workers; the computation allocates
// nothing.

#include <boost/beast/http/fields.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "data-plane/router/message.h"

namespace portico::dp::router {

struct HashPolicy {
  enum class Kind : uint8_t { kHeader, kCookie, kSourceIp };
  Kind kind = Kind::kHeader;
  std::string name;  // header (lower case) or cookie name
  bool terminal = false;
};

// `client_ip` is the client's address as text (no port).
std::optional<uint64_t> computeRequestHash(const std::vector<HashPolicy>& policies,
                                           const router::Fields& headers,
                                           std::string_view client_ip);

// The value of cookie `name` in the request's Cookie headers (RFC 6265 "a=b; c=d"), or nullopt.
std::optional<std::string_view> findCookie(const router::Fields& headers, std::string_view name);

}  // namespace portico::dp::router
