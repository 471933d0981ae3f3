#pragma once

// The cache filter's request path with backend REDIS (docs/cache.md, "Redis backend"):
//
// - lookupInRedis (decodeHeadersAsync): one lookup script (redis_backend.h); a Vary marker
//   costs one more GET for the request's variant. A fresh response is a hit (Age from the
//   writer's clock). A missing, expired or unreadable value (redis_entry.h) is a miss. Misses on
//   the same key within this proxy coalesce as with the memory backend (the leader goes
//   upstream, the others wait for its store and look again); across proxies each proxy has its
//   own leader. Redis down or slower than the timeout: a miss that stores nothing, counted in
//   portico_proxy_cache_redis_errors_total{op="lookup"} — the cache never fails a request.
// - storeInRedis (encodeHeaders, synchronous): decides as the memory backend does
//   (cache_policy.h) and starts the store script on the worker's executor without waiting for
//   it; the fill's waiters are woken when it has finished.

#include <memory>

#include "data-plane/filters/cache/cache_request.h"
#include "data-plane/filters/cache/cache_settings.h"
#include "data-plane/filters/cache/response_cache.h"
#include "data-plane/http/filter.h"
#include "data-plane/net/executor.h"

namespace portico::dp::filters::cache {

// What the Redis path needs from the filter: the proxy's cache (stats, fills) and, for a
// private cache (unit tests), its owner, kept alive by stores in flight.
struct RedisPathContext {
  ResponseCache& cache;
  std::shared_ptr<ResponseCache> owned;
};

// `lookup` has its primary key and head set (decodeHeaders). `wait_limit`: how long a coalesced
// miss waits for its leader.
net::Awaitable<http::FilterStatus> lookupInRedis(const RedisPathContext& context, const CacheSettings& settings,
                                                 http::FilterState& state, CacheRequest& lookup,
                                                 std::chrono::steady_clock::duration wait_limit);

// Stores `response` when the policy allows (X-Cache is set by the caller).
void storeInRedis(const RedisPathContext& context, const CacheSettings& settings, const http::FilterState& state,
                  CacheRequest& lookup, const router::Response& response);

}  // namespace portico::dp::filters::cache
