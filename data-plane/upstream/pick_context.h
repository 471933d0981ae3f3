#pragma once

// What the router tells the load balancer about one pick (Worker::pickEndpoint).

#include <cstdint>
#include <optional>

namespace portico::dp::upstream {

struct Endpoint;

struct PickContext {
  // ring_hash / maglev: the hash of the route's hash policy (header, cookie or client address);
  // absent when the route has none or the request lacks the value (then a random pick).
  std::optional<uint64_t> hash;
  // A retry: the endpoint the previous attempt used; the balancer avoids it when it can
  // (Envoy's previous_hosts retry predicate).
  const Endpoint* avoid = nullptr;
};

}  // namespace portico::dp::upstream
