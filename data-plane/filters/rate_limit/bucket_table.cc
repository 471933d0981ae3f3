#include "data-plane/filters/rate_limit/bucket_table.h"

#include "absl/container/flat_hash_map.h"
#include "absl/hash/hash.h"
#include "common/strings.h"

namespace portico::dp::filters::rate_limit {

BucketTable::BucketTable(BucketShape shape, Clock::duration fill_interval, size_t max_keys)
    : shape_(shape),
      fill_interval_(fill_interval.count() > 0 ? fill_interval : Clock::duration(1)),
      epoch_(Clock::now()),
      max_keys_per_shard_(std::max<size_t>(1, max_keys / kShards)),
      overflow_(shape_, 0) {}

uint64_t BucketTable::fillIndex(Clock::time_point now) const {
  return now <= epoch_ ? 0 : static_cast<uint64_t>((now - epoch_) / fill_interval_);
}

TokenBucket& BucketTable::findLocked(Shard& shard, std::string_view key, uint64_t fill_index) {
  if (auto it = shard.buckets.find(av(key)); it != shard.buckets.end()) return *it->second;
  if (shard.buckets.size() >= max_keys_per_shard_) {
    absl::erase_if(shard.buckets, [&](const auto& entry) { return entry.second->isFull(shape_, fill_index); });
    if (shard.buckets.size() >= max_keys_per_shard_) return overflow_;
  }
  auto it = shard.buckets.emplace(std::string(key), std::make_unique<TokenBucket>(shape_, fill_index)).first;
  return *it->second;
}

BucketTable::Decision BucketTable::take(std::string_view key, Clock::time_point now) {
  const uint64_t index = fillIndex(now);
  Decision decision;
  Shard& shard = shards_[absl::Hash<absl::string_view>{}(av(key)) % kShards];
  {
    std::lock_guard lock(shard.mu);
    decision.allowed = findLocked(shard, key, index).tryTake(shape_, index, decision.remaining);
  }
  decision.reset = epoch_ + fill_interval_ * static_cast<int64_t>(index + 1) - now;
  return decision;
}

size_t BucketTable::size() const {
  size_t total = 0;
  for (const Shard& shard : shards_) {
    std::lock_guard lock(shard.mu);
    total += shard.buckets.size();
  }
  return total;
}

}  // namespace portico::dp::filters::rate_limit
