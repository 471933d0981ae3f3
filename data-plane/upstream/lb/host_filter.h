#pragma once

// Which endpoints one pick may return. Every policy asks HostFilter::accepts() for the
// endpoint it is about to choose and moves on when it says no, so health, panic mode, zone
// routing and the retry's avoid-previous rule are decided in one place (worker_balancers.cc)
// and the policies stay about their own order.
//
// Threading: built on the stack for one pick on a worker thread; reads endpoint state atomics.

#include <cstdint>
#include <vector>

#include "data-plane/upstream/cluster.h"
#include "data-plane/upstream/pick_context.h"

namespace portico::dp::upstream::lb {

struct HostFilter {
  enum class Zone : uint8_t { kAny, kLocal, kRemote };

  const std::vector<Endpoint>* endpoints = nullptr;
  int64_t now_ns = 0;
  // Panic mode: unhealthy endpoints are eligible too (Envoy's healthy_panic_threshold).
  bool panic = false;
  // A retry's previous endpoints (PickContext::avoid): refused; null: none. The dispatcher
  // drops this when nothing else is eligible.
  const PickContext* avoiding = nullptr;
  // Zone routing: only endpoints in (kLocal) or outside (kRemote) the proxy's zone.
  Zone zone = Zone::kAny;
  const uint8_t* local = nullptr;  // per endpoint index: 1 when in the proxy's zone

  bool accepts(uint32_t index) const {
    const Endpoint& endpoint = (*endpoints)[index];
    if (avoiding != nullptr && avoiding->avoids(&endpoint)) return false;
    if (zone != Zone::kAny && (local[index] != 0) != (zone == Zone::kLocal)) return false;
    return panic || endpoint.state->healthy(now_ns);
  }

  uint32_t size() const { return static_cast<uint32_t>(endpoints->size()); }

  // The exhaustive last resort of every policy: the first accepted endpoint at or after
  // `start` (wrapping around), or null. O(endpoints); reached only when the policy's own,
  // cheaper search came up empty.
  const Endpoint* firstFrom(uint32_t start) const {
    const uint32_t n = size();
    for (uint32_t step = 0; step < n; ++step) {
      const uint32_t index = (start + step) % n;
      if (accepts(index)) return &(*endpoints)[index];
    }
    return nullptr;
  }
};

}  // namespace portico::dp::upstream::lb
