#include "data-plane/upstream/lb/maglev.h"

#include <algorithm>
#include <numeric>

#include "data-plane/upstream/lb/ring_hash.h"
#include "data-plane/upstream/lb/xxhash64.h"

namespace portico::dp::upstream::lb {

namespace {

constexpr uint32_t kEmpty = UINT32_MAX;

struct BuildEntry {
  uint32_t index;       // endpoint
  uint64_t weight;
  uint64_t offset;
  uint64_t skip;
  uint64_t next = 0;    // position in the endpoint's permutation
  Uint128 target = 0;  // Envoy's target_weight, scaled by the total weight
};

std::vector<BuildEntry> buildEntries(const std::vector<Endpoint>& endpoints, uint64_t size) {
  std::vector<uint32_t> order(endpoints.size());
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(),
            [&](uint32_t a, uint32_t b) { return endpoints[a].key < endpoints[b].key; });
  std::vector<BuildEntry> entries;
  entries.reserve(order.size());
  for (uint32_t index : order) {
    const Endpoint& endpoint = endpoints[index];
    entries.push_back({index, std::max(endpoint.weight, 1u), xxHash64(endpoint.key, 0) % size,
                       xxHash64(endpoint.key, 1) % (size - 1) + 1});
  }
  return entries;
}

}  // namespace

MaglevTable MaglevTable::build(const std::vector<Endpoint>& endpoints, uint64_t size) {
  MaglevTable out;
  if (endpoints.empty() || size < 2) return out;
  std::vector<BuildEntry> entries = buildEntries(endpoints, size);
  uint64_t max_weight = 0;
  for (const BuildEntry& entry : entries) max_weight = std::max(max_weight, entry.weight);
  out.table_.assign(size, kEmpty);
  uint64_t filled = 0;
  // Round r: an entry claims a slot while r × weight >= its target, which then grows by the
  // largest weight (integers here; Envoy does the same with normalised doubles).
  for (uint64_t round = 1; filled < size; ++round) {
    for (BuildEntry& entry : entries) {
      if (filled == size) break;
      if (static_cast<Uint128>(round) * entry.weight < entry.target) continue;
      entry.target += max_weight;
      uint64_t slot = (entry.offset + entry.skip * entry.next) % size;
      while (out.table_[slot] != kEmpty) {
        ++entry.next;
        slot = (entry.offset + entry.skip * entry.next) % size;
      }
      out.table_[slot] = entry.index;
      ++entry.next;
      ++filled;
    }
  }
  return out;
}

const Endpoint* MaglevLb::pick(const HostFilter& filter, const PickContext& context, FastRandom& random) {
  if (cluster_.maglev == nullptr || cluster_.maglev->size() == 0) {
    return filter.size() == 0 ? nullptr : filter.firstFrom(static_cast<uint32_t>(random.below(filter.size())));
  }
  const uint64_t hash = context.hash ? *context.hash : random.next();
  return walkForward(*cluster_.maglev, cluster_.maglev->slotFor(hash), filter);
}

}  // namespace portico::dp::upstream::lb
