#pragma once

// Maglev consistent hashing (Eisenbud et al., NSDI 2016, §3.4), weighted as in Envoy's
// MaglevTable: each endpoint has a permutation of the table's slots (offset = xxHash64(key, 0)
// mod M, skip = xxHash64(key, 1) mod (M - 1) + 1, M prime) and, in rounds, claims its next
// free preferred slot; an endpoint of the largest weight claims one slot every round, lighter
// ones in proportion to their weight. A request goes to table[hash mod M]: one index, and an
// even spread (each endpoint's share is within a slot of its weighted share). Removing one of N
// endpoints moves its own keys plus a small disruption elsewhere (the paper measures a few
// percent for M much larger than N).
//
// Endpoints are taken in address order, so every proxy builds the same table from the same
// endpoints whatever order EDS lists them in. Health is handled as for ring hash (see
// ring_hash.h): a refused endpoint's slots walk forward to the next accepted slot.
//
// Built once per snapshot (compile time), immutable, shared by all workers.

#include <cstdint>
#include <vector>

#include "data-plane/upstream/lb/load_balancer.h"

namespace portico::dp::upstream::lb {

class MaglevTable {
 public:
  // `table_size` must be a prime (the compiler checks it: the permutations need it).
  static MaglevTable build(const std::vector<Endpoint>& endpoints, uint64_t table_size);

  uint32_t size() const { return static_cast<uint32_t>(table_.size()); }
  uint32_t slotFor(uint64_t hash) const { return static_cast<uint32_t>(hash % table_.size()); }
  uint32_t endpointAt(uint32_t slot) const { return table_[slot]; }

 private:
  std::vector<uint32_t> table_;  // endpoint index per slot
};

class MaglevLb final : public LoadBalancer {
 public:
  explicit MaglevLb(const Cluster& cluster) : cluster_(cluster) {}
  const Endpoint* pick(const HostFilter& filter, const PickContext& context,
                       FastRandom& random) override;
  bool consistentHashing() const override { return true; }

 private:
  const Cluster& cluster_;
};

}  // namespace portico::dp::upstream::lb
