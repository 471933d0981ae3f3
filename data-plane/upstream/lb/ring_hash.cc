#include "data-plane/upstream/lb/ring_hash.h"

#include <algorithm>
#include <numeric>

#include "common/strings.h"
#include "data-plane/upstream/lb/xxhash64.h"

namespace portico::dp::upstream::lb {

namespace {

uint64_t nextPowerOfTwo(uint64_t n) {
  uint64_t p = 1;
  while (p < n) p <<= 1;
  return p;
}

// Endpoint indexes in address order: the table must not depend on the order EDS lists them.
std::vector<uint32_t> byKey(const std::vector<Endpoint>& endpoints) {
  std::vector<uint32_t> order(endpoints.size());
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(),
            [&](uint32_t a, uint32_t b) { return endpoints[a].key < endpoints[b].key; });
  return order;
}

}  // namespace

RingHashTable RingHashTable::build(const std::vector<Endpoint>& endpoints, uint64_t min_size,
                                   uint64_t max_size) {
  RingHashTable table;
  if (endpoints.empty()) return table;
  uint64_t total_weight = 0;
  for (const Endpoint& endpoint : endpoints) total_weight += std::max(endpoint.weight, 1u);
  // Entries per weight unit: a power of two, so that small membership changes keep it.
  uint64_t base = nextPowerOfTwo((min_size + total_weight - 1) / total_weight);
  while (base > 1 && total_weight * base > max_size) base >>= 1;
  const bool scaled = total_weight * base > max_size;  // one per weight unit is still too many
  struct Entry {
    uint64_t hash;
    uint32_t rank;  // position in address order: breaks hash ties deterministically
  };
  std::vector<Entry> entries;
  const std::vector<uint32_t> order = byKey(endpoints);
  std::string key;
  for (uint32_t rank = 0; rank < order.size(); ++rank) {
    const Endpoint& endpoint = endpoints[order[rank]];
    const uint64_t weight = std::max(endpoint.weight, 1u);
    const uint64_t count =
        scaled ? std::max<uint64_t>(1, static_cast<uint64_t>(static_cast<Uint128>(weight) * max_size /
                                                             total_weight))
               : weight * base;
    for (uint64_t k = 0; k < count; ++k) {
      key = cat(endpoint.key, "_", k);
      entries.push_back({xxHash64(key), rank});
    }
  }
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return a.hash < b.hash || (a.hash == b.hash && a.rank < b.rank);
  });
  table.hashes_.reserve(entries.size());
  table.endpoints_.reserve(entries.size());
  for (const Entry& entry : entries) {
    table.hashes_.push_back(entry.hash);
    table.endpoints_.push_back(order[entry.rank]);
  }
  return table;
}

uint32_t RingHashTable::slotFor(uint64_t hash) const {
  const auto it = std::lower_bound(hashes_.begin(), hashes_.end(), hash);
  return it == hashes_.end() ? 0 : static_cast<uint32_t>(it - hashes_.begin());
}

// A request without a hash value gets a random point on the ring: still weight-proportional.
const Endpoint* RingHashLb::pick(const HostFilter& filter, const PickContext& context, FastRandom& random) {
  if (cluster_.ring == nullptr || cluster_.ring->size() == 0) {
    return filter.size() == 0 ? nullptr : filter.firstFrom(static_cast<uint32_t>(random.below(filter.size())));
  }
  const uint64_t hash = context.hash ? *context.hash : random.next();
  return walkForward(*cluster_.ring, cluster_.ring->slotFor(hash), filter);
}

}  // namespace portico::dp::upstream::lb
