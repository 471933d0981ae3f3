#include "data-plane/upstream/lb/round_robin.h"

#include <algorithm>
#include <numeric>

namespace portico::dp::upstream::lb {

namespace {

// Scales weights so they sum to about `limit`, keeping every weight >= 1.
void scaleDown(std::vector<uint64_t>& weights, uint64_t total, uint64_t limit) {
  for (uint64_t& weight : weights) {
    weight = std::max<uint64_t>(1, static_cast<uint64_t>(
                                       static_cast<Uint128>(weight) * limit / total));
  }
}

}  // namespace

std::vector<uint32_t> buildSmoothSchedule(const std::vector<uint32_t>& in, uint64_t max_entries) {
  const size_t n = in.size();
  if (n == 0) return {};
  // Weights scaled by k give the same cycle k times over: divide by their gcd first.
  uint64_t divisor = 0;
  for (uint32_t weight : in) divisor = std::gcd(divisor, static_cast<uint64_t>(std::max(weight, 1u)));
  std::vector<uint64_t> weights(n);
  uint64_t total = 0;
  for (size_t i = 0; i < n; ++i) {
    weights[i] = std::max(in[i], 1u) / divisor;
    total += weights[i];
  }
  // Building costs total × n steps: keep that bounded too for very large clusters.
  const uint64_t limit = std::max<uint64_t>(n, std::min<uint64_t>(max_entries, (uint64_t{1} << 27) / n));
  if (total > limit) {
    scaleDown(weights, total, limit);
    total = std::accumulate(weights.begin(), weights.end(), uint64_t{0});
  }
  std::vector<uint32_t> schedule;
  if (total == n) {  // all weights equal: nginx's cycle is simply 0, 1, ..., n-1
    schedule.resize(n);
    std::iota(schedule.begin(), schedule.end(), 0u);
    return schedule;
  }
  // nginx: every turn, each endpoint's current weight grows by its weight; the largest current
  // weight wins the turn and pays back the total.
  std::vector<int64_t> current(n, 0);
  schedule.reserve(total);
  for (uint64_t turn = 0; turn < total; ++turn) {
    size_t best = 0;
    for (size_t i = 0; i < n; ++i) {
      current[i] += static_cast<int64_t>(weights[i]);
      if (current[i] > current[best]) best = i;
    }
    current[best] -= static_cast<int64_t>(total);
    schedule.push_back(static_cast<uint32_t>(best));
  }
  return schedule;
}

namespace {
const std::vector<uint32_t> kNoSchedule;  // for a cluster compiled without tables
}  // namespace

RoundRobinLb::RoundRobinLb(const Cluster& cluster, uint32_t start)
    : schedule_(cluster.schedule ? *cluster.schedule : kNoSchedule),
      cursor_(schedule_.empty() ? 0 : start % static_cast<uint32_t>(schedule_.size())) {}

const Endpoint* RoundRobinLb::pick(const HostFilter& filter, const PickContext&, FastRandom&) {
  const auto size = static_cast<uint32_t>(schedule_.size());
  if (size == 0) return filter.firstFrom(0);
  for (uint32_t tried = 0; tried < size; ++tried) {
    const uint32_t index = schedule_[cursor_];
    if (++cursor_ == size) cursor_ = 0;
    if (filter.accepts(index)) return &(*filter.endpoints)[index];
  }
  return nullptr;  // a full cycle visits every endpoint: none is acceptable
}

}  // namespace portico::dp::upstream::lb
