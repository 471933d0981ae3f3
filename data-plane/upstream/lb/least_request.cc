#include "data-plane/upstream/lb/least_request.h"

#include <algorithm>

namespace portico::dp::upstream::lb {

namespace {

int32_t activeRequests(const Endpoint& endpoint) {
  return std::max(0, endpoint.state->active_requests.load(std::memory_order_relaxed));
}

// std::*_heap build a max-heap: "later" is "less" to keep the earliest deadline on top; ties
// go to the lower index so the order is deterministic.
bool later(const auto& a, const auto& b) { return a.at > b.at || (a.at == b.at && a.index > b.index); }

}  // namespace

LeastRequestLb::LeastRequestLb(const Cluster& cluster, uint64_t seed)
    : cluster_(cluster), choice_count_(std::max(cluster.lb.choice_count, 1u)) {
  if (cluster.equal_weights) return;
  FastRandom phase(seed);
  heap_.reserve(cluster.endpoints.size());
  for (uint32_t i = 0; i < cluster.endpoints.size(); ++i) {
    heap_.push_back({phase.unit() / effectiveWeight(i), i});
  }
  std::make_heap(heap_.begin(), heap_.end(), later<Deadline, Deadline>);
}

double LeastRequestLb::effectiveWeight(uint32_t index) const {
  const Endpoint& endpoint = cluster_.endpoints[index];
  return static_cast<double>(std::max(endpoint.weight, 1u)) / (activeRequests(endpoint) + 1);
}

const Endpoint* LeastRequestLb::pick(const HostFilter& filter, const PickContext&, FastRandom& random) {
  if (filter.size() == 0) return nullptr;
  return heap_.empty() ? pickPowerOfChoices(filter, random) : pickEdf(filter, random);
}

const Endpoint* LeastRequestLb::pickPowerOfChoices(const HostFilter& filter, FastRandom& random) {
  const uint32_t n = filter.size();
  const Endpoint* best = nullptr;
  int32_t best_active = 0;
  uint32_t chosen = 0;
  // Refused draws are redrawn, within a bound; the fallback below is exhaustive.
  for (uint32_t draw = 0; draw < 4 * choice_count_ && chosen < choice_count_; ++draw) {
    const auto index = static_cast<uint32_t>(random.below(n));
    if (!filter.accepts(index)) continue;
    ++chosen;
    const Endpoint& candidate = (*filter.endpoints)[index];
    const int32_t active = activeRequests(candidate);
    if (best == nullptr || active < best_active) {
      best = &candidate;
      best_active = active;
    }
  }
  return best != nullptr ? best : filter.firstFrom(static_cast<uint32_t>(random.below(n)));
}

// Pops the earliest deadline and puts the endpoint back one period (1 / effective weight)
// later, whether or not the filter accepts it: a skipped endpoint is charged as if picked, so
// the shares among the accepted ones stay in proportion.
const Endpoint* LeastRequestLb::pickEdf(const HostFilter& filter, FastRandom& random) {
  const size_t n = heap_.size();
  for (size_t popped = 0; popped < n; ++popped) {
    std::pop_heap(heap_.begin(), heap_.end(), later<Deadline, Deadline>);
    Deadline& top = heap_.back();
    const uint32_t index = top.index;
    top.at += 1.0 / effectiveWeight(index);
    std::push_heap(heap_.begin(), heap_.end(), later<Deadline, Deadline>);
    if (filter.accepts(index)) return &(*filter.endpoints)[index];
  }
  return filter.firstFrom(static_cast<uint32_t>(random.below(n)));
}

}  // namespace portico::dp::upstream::lb
