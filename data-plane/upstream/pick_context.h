#pragma once

// What the router tells the load balancer about one pick (Worker::pickEndpoint).

#include <array>
#include <cstdint>
#include <optional>

namespace portico::dp::upstream {

struct Endpoint;

struct PickContext {
  // Endpoints a retry remembers (fixed: no allocation on the request path). A request with more
  // retries than this may go back to the endpoint of its oldest forgotten try.
  static constexpr uint32_t kMaxAvoided = 4;

  // ring_hash / maglev: the hash of the route's hash policy (header, cookie or client address);
  // absent when the route has none or the request lacks the value (then a random pick).
  std::optional<uint64_t> hash;

  // Retries: remembers the endpoint a failed try used; later picks avoid every remembered one
  // while another endpoint is eligible (Envoy's previous_hosts retry predicate).
  void avoid(const Endpoint* endpoint) {
    if (endpoint == nullptr || avoids(endpoint)) return;
    avoided_[next_avoided_++ % kMaxAvoided] = endpoint;
  }
  bool avoids(const Endpoint* endpoint) const {
    const uint32_t count = next_avoided_ < kMaxAvoided ? next_avoided_ : kMaxAvoided;
    for (uint32_t i = 0; i < count; ++i) {
      if (avoided_[i] == endpoint) return true;
    }
    return false;
  }
  bool avoidsAny() const { return next_avoided_ != 0; }

 private:
  std::array<const Endpoint*, kMaxAvoided> avoided_{};
  uint32_t next_avoided_ = 0;  // endpoints remembered so far; the slot of the next one (mod size)
};

}  // namespace portico::dp::upstream
