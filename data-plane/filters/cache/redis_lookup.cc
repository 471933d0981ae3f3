#include "data-plane/filters/cache/redis_lookup.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/this_coro.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <utility>

#include "common/logging.h"
#include "data-plane/config/snapshot.h"
#include "data-plane/filters/cache/cache_key.h"
#include "data-plane/filters/cache/cache_policy.h"
#include "data-plane/filters/cache/cache_reply.h"
#include "data-plane/filters/cache/redis_entry.h"
#include "data-plane/filters/cache/redis_keys.h"

namespace portico::dp::filters::cache {

namespace {

int64_t unixMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The response stored for the request, following a Vary marker to the request's variant. An
// unreadable value is no response (the next store overwrites it).
net::Awaitable<absl::StatusOr<std::optional<RedisEntry>>> resolve(const RedisBackend& backend, size_t worker,
                                                                  const CacheRequest& lookup,
                                                                  const router::Request& request,
                                                                  std::optional<std::string> value) {
  using Result = std::optional<RedisEntry>;
  if (!value.has_value()) co_return Result();
  std::optional<RedisEntry> entry = decodeEntry(*value);
  if (!entry.has_value()) co_return Result();
  if (entry->kind == RedisEntry::Kind::kVary) {
    const std::string key =
        redis_keys::entryKey(lookup.head, lookup.generations, variantKey(lookup.primary, entry->vary, request.base()));
    auto variant = co_await backend.get(worker, key);
    if (!variant.ok()) co_return variant.status();
    if (!variant->has_value()) co_return Result();
    entry = decodeEntry(**variant);
    if (!entry.has_value() || entry->kind != RedisEntry::Kind::kResponse) co_return Result();
  }
  co_return entry;
}

// One lookup: true on a hit (the reply is set). A Redis failure marks the request.
net::Awaitable<bool> lookupOnce(const RedisPathContext& context, const RedisBackend& backend,
                                http::FilterState& state, CacheRequest& lookup) {
  CacheStats& stats = context.cache.stats();
  const int shard = stats.shard(state.worker_index);
  auto found = co_await backend.lookup(state.worker_index, lookup.head, lookup.primary);
  absl::StatusOr<std::optional<RedisEntry>> entry = std::optional<RedisEntry>();
  if (found.ok()) {
    lookup.generations = found->generations;
    lookup.fences = found->fences;
    entry = co_await resolve(backend, state.worker_index, lookup, *state.request, std::move(found->value));
  } else {
    entry = found.status();
  }
  if (!entry.ok()) {
    stats.redis_lookup_errors.inc(shard);
    lookup.redis_failed = true;
    PORTICO_LOG(kDebug, "cache: redis lookup failed: ", entry.status().ToString());
    co_return false;
  }
  if (!entry->has_value()) co_return false;
  const RedisEntry& hit = **entry;
  answerFromCache(state, hit.response, hit.initial_age + (unixMillis() - hit.stored_at_ms) / 1000);
  lookup.hit = true;
  stats.hits.inc(shard);
  co_return true;
}

// Stores after the response, off the client's path; wakes the fill's waiters when done.
net::Awaitable<void> storeTask(std::shared_ptr<const RedisBackend> backend, ResponseCache* cache,
                               std::shared_ptr<ResponseCache> owned, size_t worker, RedisBackend::Store store,
                               std::string fill_key, CacheFillPtr fill) {
  (void)owned;  // keeps a private cache alive until the store is done
  struct FinishFill {
    ResponseStore& store;
    std::string& key;
    CacheFillPtr& fill;
    ~FinishFill() {
      if (fill != nullptr) store.finishFill(key, fill);
    }
  } finish{cache->store(), fill_key, fill};
  CacheStats& stats = cache->stats();
  auto written = co_await backend->store(worker, std::move(store));
  if (!written.ok()) {
    stats.redis_store_errors.inc(stats.shard(worker));
    PORTICO_LOG(kDebug, "cache: redis store failed: ", written.status().ToString());
  } else if (*written) {
    stats.stores.inc(stats.shard(worker));
  } else {
    stats.notStored(worker, NotStored::kPurged);
  }
}

}  // namespace

net::Awaitable<http::FilterStatus> lookupInRedis(const RedisPathContext& context, const CacheSettings& settings,
                                                 http::FilterState& state, CacheRequest& lookup,
                                                 std::chrono::steady_clock::duration wait_limit) {
  lookup.executor = co_await boost::asio::this_coro::executor;
  const RedisBackend& backend = *settings.redis;
  CacheStats& stats = context.cache.stats();
  const int shard = stats.shard(state.worker_index);
  if (co_await lookupOnce(context, backend, state, lookup)) co_return http::FilterStatus::kLocalReply;
  if (lookup.redis_failed) {
    stats.misses.inc(shard);
    co_return http::FilterStatus::kContinue;
  }
  // A miss: lead this proxy's fill for the key, or wait for the request leading it.
  ResponseStore::Lookup joined = context.cache.store().lookup(lookup.key, std::chrono::steady_clock::now(), true);
  lookup.fill = std::move(joined.fill);
  lookup.leader = joined.leader;
  if (lookup.fill != nullptr && !lookup.leader) {
    const bool finished = co_await waitForFill(lookup.fill, std::chrono::steady_clock::now() + wait_limit);
    lookup.fill.reset();
    stats.coalesced.inc(shard);
    if (finished && co_await lookupOnce(context, backend, state, lookup)) co_return http::FilterStatus::kLocalReply;
  }
  stats.misses.inc(shard);
  co_return http::FilterStatus::kContinue;
}

void storeInRedis(const RedisPathContext& context, const CacheSettings& settings, const http::FilterState& state,
                  CacheRequest& lookup, const router::Response& response) {
  CacheStats& stats = context.cache.stats();
  if (lookup.redis_failed || !lookup.executor.has_value()) return;  // Redis failed us: it would again
  const router::Request& request = *state.request;
  const int64_t now_ms = unixMillis();
  const StoreDecision decision = decideStore(settings, request, response, now_ms / 1000);
  if (!decision.store) {
    stats.notStored(state.worker_index, decision.reason);
    return;  // the request's data finishes the fill: the waiters go upstream
  }
  std::string_view id_header;
  std::string_view via;
  if (state.listener != nullptr) {
    id_header = state.listener->request_id_header;
    via = state.listener->http.forwarding.via;
  }
  RedisEntry entry;
  entry.kind = RedisEntry::Kind::kResponse;
  entry.stored_at_ms = now_ms;
  entry.initial_age = decision.age;
  entry.response = storedResponse(response, id_header, via);
  RedisBackend::Store store;
  store.fences = lookup.fences;
  store.value = encodeEntry(entry);
  store.ttl = std::chrono::duration_cast<std::chrono::milliseconds>(decision.ttl);
  if (decision.vary.names.empty()) {
    store.key = redis_keys::entryKey(lookup.head, lookup.generations, lookup.primary);
  } else {
    // The primary key names the Vary headers; the response goes under this request's variant.
    RedisEntry marker;
    marker.kind = RedisEntry::Kind::kVary;
    marker.stored_at_ms = now_ms;
    marker.vary = decision.vary.names;
    store.marker_key = redis_keys::entryKey(lookup.head, lookup.generations, lookup.primary);
    store.marker_value = encodeEntry(marker);
    store.key = redis_keys::entryKey(lookup.head, lookup.generations,
                                     variantKey(lookup.primary, decision.vary.names, request.base()));
  }
  boost::asio::co_spawn(*lookup.executor,
                        storeTask(settings.redis, &context.cache, context.owned, state.worker_index, std::move(store),
                                  lookup.key, lookup.releaseFill()),
                        boost::asio::detached);
}

}  // namespace portico::dp::filters::cache
