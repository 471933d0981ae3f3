#pragma once

// Ring hash (consistent hashing, ketama style). Each endpoint is placed on a 64-bit ring at
// xxHash64("<ip:port>_<k>") for k = 0 .. entries-1, with entries = weight × base: a request's
// hash goes to the first entry at or after it (wrapping), so an endpoint owns a share of the
// ring in proportion to its weight.
//
// Stability: `base` is a power of two (the smallest that gives at least ring_min_size
// entries), and each endpoint's entries depend only on its own address and weight, not on the
// order or the set of the others. Removing one of N endpoints therefore only moves the keys it
// owned (about 1/N) unless the ring size crosses a power of two; the table is identical in
// every proxy given the same endpoints, in any order.
//
// Health: the ring holds every endpoint, healthy or not; a key whose endpoint is refused
// (unhealthy, ejected, or the retry's previous endpoint) walks forward to the next entry whose
// endpoint is accepted. Envoy instead rebuilds the ring from the healthy endpoints whenever
// health changes. The trade-off: rebuilding needs a new table per health change (built off the
// request path and swapped in, per proxy, at a time that differs between proxies), and during
// the swap workers disagree; walking needs no rebuild, keeps the table immutable for the life
// of the snapshot, and moves only the keys of the refused endpoint — each to the endpoint that
// follows it on the ring, the same one in every proxy. The cost: those keys land on ring
// neighbours rather than being spread by weight over all the others (on average still in
// proportion, since every endpoint's entries are scattered over the ring), and a lookup with
// many refused endpoints takes a few more steps.
//
// Built once per snapshot (compile time), immutable, shared by all workers.

#include <cstdint>
#include <vector>

#include "data-plane/upstream/lb/load_balancer.h"

namespace portico::dp::upstream::lb {

class RingHashTable {
 public:
  // `min_size` <= `max_size` bound the number of entries (Envoy's ring_hash_lb_config); when
  // the weights need more than max_size entries at one per weight unit, entries are scaled
  // down (every endpoint keeps at least one).
  static RingHashTable build(const std::vector<Endpoint>& endpoints, uint64_t min_size, uint64_t max_size);

  uint32_t size() const { return static_cast<uint32_t>(hashes_.size()); }
  // The entry that owns `hash`: the first at or after it, wrapping to the first entry.
  uint32_t slotFor(uint64_t hash) const;
  uint32_t endpointAt(uint32_t slot) const { return endpoints_[slot]; }
  uint64_t hashAt(uint32_t slot) const { return hashes_[slot]; }

 private:
  std::vector<uint64_t> hashes_;     // sorted
  std::vector<uint32_t> endpoints_;  // endpoint index of each entry
};

// Walks forward from `slot` through `size` slots (`endpointAt(slot)` gives the endpoint) to
// the first endpoint the filter accepts. Shared by ring hash and Maglev: both keep a key on
// its endpoint while that endpoint is eligible, and move only its keys when it is not.
template <typename Table>
const Endpoint* walkForward(const Table& table, uint32_t slot, const HostFilter& filter) {
  // Entries of one endpoint are scattered, so a few steps find an eligible one unless nearly
  // all are refused; then the exhaustive search over endpoints (still deterministic per key).
  constexpr uint32_t kMaxSteps = 128;
  const uint32_t size = table.size();
  for (uint32_t step = 0; step < size && step < kMaxSteps; ++step) {
    const uint32_t index = table.endpointAt((slot + step) % size);
    if (filter.accepts(index)) return &(*filter.endpoints)[index];
  }
  return filter.firstFrom(table.endpointAt(slot));
}

class RingHashLb final : public LoadBalancer {
 public:
  explicit RingHashLb(const Cluster& cluster) : cluster_(cluster) {}
  const Endpoint* pick(const HostFilter& filter, const PickContext& context,
                       FastRandom& random) override;
  bool consistentHashing() const override { return true; }

 private:
  const Cluster& cluster_;
};

}  // namespace portico::dp::upstream::lb
