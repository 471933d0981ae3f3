#include "data-plane/filters/cache/response_store.h"

#include "absl/hash/hash.h"
#include "absl/strings/match.h"
#include "common/strings.h"

namespace portico::dp::filters::cache {

size_t CacheEntry::charge() const {
  size_t bytes = route.size() + path.size() + response.body.size();
  for (const auto& [name, value] : response.headers) bytes += name.size() + value.size() + 32;
  for (const std::string& name : vary) bytes += name.size() + 32;
  return bytes;
}

bool PurgeMatch::matches(const CacheEntry& entry) const {
  if (!route.empty() && entry.route != route) return false;
  return path_prefix.empty() || absl::StartsWith(av(entry.path), av(path_prefix));
}

ResponseStore::ResponseStore(uint64_t capacity_bytes) : capacity_(capacity_bytes) {}

ResponseStore::Shard& ResponseStore::shardFor(std::string_view key) {
  return shards_[absl::Hash<absl::string_view>{}(av(key)) % kShards];
}

size_t ResponseStore::entries() const {
  size_t total = 0;
  for (const Shard& shard : shards_) total += shard.count.load(std::memory_order_relaxed);
  return total;
}

void ResponseStore::erase(Shard& shard, NodeList::iterator node, std::vector<CacheEntryPtr>& garbage) {
  shard.index.erase(av(node->key));
  bytes_.fetch_sub(node->charge, std::memory_order_relaxed);
  garbage.push_back(std::move(node->entry));
  shard.lru.erase(node);
  shard.count.fetch_sub(1, std::memory_order_relaxed);
}

ResponseStore::Lookup ResponseStore::lookup(std::string_view key, Clock::time_point now, bool coalesce) {
  Shard& shard = shardFor(key);
  Lookup out;
  std::vector<CacheEntryPtr> garbage;  // freed after the lock
  std::lock_guard<std::mutex> lock(shard.mu);
  if (auto it = shard.index.find(av(key)); it != shard.index.end()) {
    const NodeList::iterator node = it->second;
    if (node->entry->expires_at > now) {
      shard.lru.splice(shard.lru.begin(), shard.lru, node);
      out.entry = node->entry;
      return out;
    }
    erase(shard, node, garbage);
  }
  if (!coalesce) return out;
  auto [fill, inserted] = shard.fills.try_emplace(std::string(key));
  if (inserted) fill->second = std::make_shared<CacheFill>();
  out.fill = fill->second;
  out.leader = inserted;
  return out;
}

void ResponseStore::finishFill(std::string_view key, const CacheFillPtr& fill) {
  if (fill == nullptr) return;
  {
    Shard& shard = shardFor(key);
    std::lock_guard<std::mutex> lock(shard.mu);
    if (auto it = shard.fills.find(av(key)); it != shard.fills.end() && it->second == fill) shard.fills.erase(it);
  }
  fill->finish();  // outside the shard's lock: it takes the fill's own and posts wake-ups
}

size_t ResponseStore::evictWhileOver(Shard& shard, const Node* keep, std::vector<CacheEntryPtr>& garbage) {
  size_t evicted = 0;
  while (bytes_.load(std::memory_order_relaxed) > capacity_.load(std::memory_order_relaxed) && !shard.lru.empty()) {
    auto tail = std::prev(shard.lru.end());
    if (&*tail == keep) break;  // only the new entry is left here
    erase(shard, tail, garbage);
    ++evicted;
  }
  return evicted;
}

size_t ResponseStore::evictElsewhere(const Shard* skip) {
  size_t evicted = 0;
  for (Shard& shard : shards_) {
    if (bytes_.load(std::memory_order_relaxed) <= capacity_.load(std::memory_order_relaxed)) break;
    if (&shard == skip) continue;
    std::vector<CacheEntryPtr> garbage;
    std::lock_guard<std::mutex> lock(shard.mu);
    evicted += evictWhileOver(shard, nullptr, garbage);
  }
  return evicted;
}

ResponseStore::InsertResult ResponseStore::insert(std::string_view key, CacheEntryPtr entry, uint64_t generation,
                                                  size_t* evicted_out) {
  const size_t charge = key.size() + entry->charge() + kEntryOverhead;
  if (charge > capacity_.load(std::memory_order_relaxed)) return InsertResult::kTooLarge;
  Shard& shard = shardFor(key);
  size_t evicted = 0;
  std::vector<CacheEntryPtr> garbage;
  {
    std::lock_guard<std::mutex> lock(shard.mu);
    // Under the shard's lock: a purge bumps the generation before it locks any shard, so either
    // this sees the bump, or the purge reaches this shard after the entry is in.
    if (generation_.load(std::memory_order_acquire) != generation) return InsertResult::kPurged;
    if (auto it = shard.index.find(av(key)); it != shard.index.end()) erase(shard, it->second, garbage);
    shard.lru.push_front(Node{std::string(key), std::move(entry), charge});
    Node& node = shard.lru.front();
    shard.index.emplace(av(node.key), shard.lru.begin());
    shard.count.fetch_add(1, std::memory_order_relaxed);
    bytes_.fetch_add(charge, std::memory_order_relaxed);
    evicted = evictWhileOver(shard, &node, garbage);
  }
  evicted += evictElsewhere(&shard);
  evictions_.fetch_add(evicted, std::memory_order_relaxed);
  if (evicted_out != nullptr) *evicted_out = evicted;
  return InsertResult::kStored;
}

size_t ResponseStore::purge(const PurgeMatch& match) {
  generation_.fetch_add(1, std::memory_order_acq_rel);
  size_t removed = 0;
  for (Shard& shard : shards_) {
    std::vector<CacheEntryPtr> garbage;
    std::lock_guard<std::mutex> lock(shard.mu);
    for (auto node = shard.lru.begin(); node != shard.lru.end();) {
      const auto next = std::next(node);
      if (match.matches(*node->entry)) {
        erase(shard, node, garbage);
        ++removed;
      }
      node = next;
    }
  }
  return removed;
}

size_t ResponseStore::setCapacity(uint64_t bytes) {
  capacity_.store(bytes, std::memory_order_relaxed);
  const size_t evicted = evictElsewhere(nullptr);
  evictions_.fetch_add(evicted, std::memory_order_relaxed);
  return evicted;
}

}  // namespace portico::dp::filters::cache
