#include "data-plane/filters/cache/cache_filter.h"

#include <google/protobuf/any.pb.h>

#include <chrono>
#include <string>

#include "common/strings.h"
#include "data-plane/config/snapshot.h"
#include "data-plane/filters/cache/cache_fill.h"
#include "data-plane/filters/cache/cache_key.h"
#include "data-plane/filters/cache/cache_policy.h"
#include "data-plane/filters/cache/cache_reply.h"
#include "data-plane/filters/cache/cache_request.h"
#include "data-plane/filters/cache/cache_settings.h"
#include "data-plane/filters/cache/redis_keys.h"
#include "data-plane/filters/cache/redis_lookup.h"
#include "data-plane/redis/client.h"
#include "data-plane/filters/cache/response_cache.h"
#include "data-plane/router/route_table.h"
#include "portico/filters/cache/v1/cache.pb.h"

namespace portico::dp::filters::cache {

namespace {

namespace bhttp = boost::beast::http;

// How long misses wait for another request's response when the route has no timeout.
constexpr Clock::duration kDefaultWait = std::chrono::seconds(15);
// How long a key whose response could not be stored stops misses from waiting for each other.
constexpr Clock::duration kPassLifetime = std::chrono::seconds(120);
// Coalescing keys of backend REDIS start with this, so they never meet the memory backend's.
constexpr std::string_view kRedisFillPrefix = "redis ";

std::string_view view(boost::beast::string_view s) { return std::string_view(s.data(), s.size()); }

class CacheFilter : public http::HttpFilter {
 public:
  CacheFilter(std::shared_ptr<const CacheSettings> defaults, ResponseCache& cache,
              std::shared_ptr<ResponseCache> owned)
      : defaults_(std::move(defaults)), cache_(cache), owned_(std::move(owned)) {}

  http::FilterStatus decodeHeaders(http::FilterState& state, const http::FilterRouteConfig* route) const override {
    const CacheSettings& settings = settingsFor(route);
    const router::Request& request = *state.request;
    // An upgrade (WebSocket) is a conversation, not a document: never answered from the cache.
    if (!settings.cacheableMethod(request.method()) || request.find(bhttp::field::upgrade) != request.end()) {
      cache_.stats().bypasses.inc(worker(state));
      return http::FilterStatus::kContinue;  // no data: encodeHeaders says BYPASS
    }
    auto owned = std::make_unique<CacheRequest>(cache_.store());
    CacheRequest& lookup = *owned;
    state.setData(this, std::move(owned));
    // Read before the lookup: a purge from now on keeps this request's response out.
    lookup.generation = cache_.store().generation();
    lookup.primary = primaryKey(settings, KeyInput{state.route_name, view(request.method_string()),
                                                   view(request[bhttp::field::host]), state.path, state.query,
                                                   &request.base()});
    if (settings.redis != nullptr) {
      lookup.redis = true;
      lookup.head = redis_keys::entryHead(state.route_name, state.path);
      lookup.key = cat(kRedisFillPrefix, lookup.primary);
      return http::FilterStatus::kAsync;  // the lookup is a round trip to Redis
    }
    const Clock::time_point now = Clock::now();
    ResponseStore::Lookup found = find(lookup, request, now, /*coalesce=*/true);
    if (found.entry != nullptr && found.entry->kind == CacheEntry::Kind::kResponse) {
      answer(state, lookup, *found.entry, now);
      return http::FilterStatus::kLocalReply;
    }
    lookup.fill = std::move(found.fill);
    lookup.leader = found.leader;
    if (lookup.fill != nullptr && !lookup.leader) return http::FilterStatus::kAsync;  // another is fetching it
    cache_.stats().misses.inc(worker(state));
    return http::FilterStatus::kContinue;
  }

  net::Awaitable<http::FilterStatus> decodeHeadersAsync(http::FilterState& state,
                                                        const http::FilterRouteConfig* route) const override {
    auto* lookup = static_cast<CacheRequest*>(state.dataFor(this));
    const Clock::duration limit =
        state.route != nullptr && state.route->timeout > absl::ZeroDuration()
            ? std::chrono::duration_cast<Clock::duration>(absl::ToChronoNanoseconds(state.route->timeout))
            : kDefaultWait;
    if (lookup->redis) {
      co_return co_await lookupInRedis(RedisPathContext{cache_, owned_}, settingsFor(route), state, *lookup, limit);
    }
    const bool finished = co_await waitForFill(lookup->fill, Clock::now() + limit);
    lookup->fill.reset();
    cache_.stats().coalesced.inc(worker(state));
    if (finished) {
      const Clock::time_point now = Clock::now();
      ResponseStore::Lookup found = find(*lookup, *state.request, now, /*coalesce=*/false);
      if (found.entry != nullptr && found.entry->kind == CacheEntry::Kind::kResponse) {
        answer(state, *lookup, *found.entry, now);
        co_return http::FilterStatus::kLocalReply;
      }
    }
    // Nothing stored for us (or the leader is still at it): go upstream alone.
    cache_.stats().misses.inc(worker(state));
    co_return http::FilterStatus::kContinue;
  }

  void encodeHeaders(http::FilterState& state, router::Response& response,
                     const http::FilterRouteConfig* route) const override {
    auto* lookup = static_cast<CacheRequest*>(state.dataFor(this));
    if (lookup == nullptr) {
      response.set(kXCache, "BYPASS");
      return;
    }
    if (lookup->hit) return;  // the stored response already says HIT
    if (lookup->redis) {
      storeInRedis(RedisPathContext{cache_, owned_}, settingsFor(route), state, *lookup, response);
    } else {
      store(state, *lookup, settingsFor(route), response);
    }
    response.set(kXCache, "MISS");
    lookup->finishFill();  // after the store: the waiters look it up as soon as they wake
  }

 private:
  const CacheSettings& settingsFor(const http::FilterRouteConfig* route) const {
    return route != nullptr ? static_cast<const CacheSettings&>(*route) : *defaults_;
  }

  int worker(const http::FilterState& state) const { return cache_.stats().shard(state.worker_index); }

  // Looks the request up under its primary key and, when that names the Vary headers, under
  // its variant key. `lookup.key` is left at the key that decides (and that a fill is for).
  ResponseStore::Lookup find(CacheRequest& lookup, const router::Request& request, Clock::time_point now,
                             bool coalesce) const {
    lookup.key = lookup.primary;
    ResponseStore::Lookup found = cache_.store().lookup(lookup.key, now, coalesce);
    if (found.entry != nullptr && found.entry->kind == CacheEntry::Kind::kVary) {
      lookup.key = variantKey(lookup.primary, found.entry->vary, request.base());
      found = cache_.store().lookup(lookup.key, now, coalesce);
    }
    return found;
  }

  // Answers from the store: the stored response with its age and X-Cache: HIT.
  void answer(http::FilterState& state, CacheRequest& lookup, const CacheEntry& entry, Clock::time_point now) const {
    const int64_t resident = std::chrono::duration_cast<std::chrono::seconds>(now - entry.stored_at).count();
    answerFromCache(state, entry.response, entry.initial_age + resident);  // the entry is immutable: no lock
    lookup.hit = true;
    cache_.stats().hits.inc(worker(state));
  }

  void store(const http::FilterState& state, CacheRequest& lookup, const CacheSettings& settings,
             const router::Response& response) const {
    const router::Request& request = *state.request;
    const int64_t now_unix = std::chrono::duration_cast<std::chrono::seconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count();
    const StoreDecision decision = decideStore(settings, request, response, now_unix);
    const Clock::time_point now = Clock::now();
    if (!decision.store) {
      cache_.stats().notStored(state.worker_index, decision.reason);
      // Other misses waited for this one in vain: for a while, let them go upstream at once.
      const bool transient = decision.reason == NotStored::kStatus && response.result_int() >= 500;
      if (lookup.leader && lookup.fill->hadWaiters() && !transient) storePass(state, lookup, now);
      return;
    }
    auto entry = std::make_shared<CacheEntry>();
    entry->kind = CacheEntry::Kind::kResponse;
    entry->stored_at = now;
    entry->expires_at = now + decision.ttl;
    entry->initial_age = decision.age;
    entry->route = std::string(state.route_name);
    entry->path = std::string(state.path);
    std::string_view id_header;
    std::string_view via;
    if (state.listener != nullptr) {
      id_header = state.listener->request_id_header;
      via = state.listener->http.forwarding.via;
    }
    entry->response = storedResponse(response, id_header, via);
    std::string key = lookup.primary;
    if (!decision.vary.names.empty()) {
      // The primary key names the Vary headers; the response goes under this request's variant.
      auto marker = std::make_shared<CacheEntry>();
      marker->kind = CacheEntry::Kind::kVary;
      marker->stored_at = now;
      marker->expires_at = entry->expires_at;
      marker->route = entry->route;
      marker->path = entry->path;
      marker->vary = decision.vary.names;
      cache_.store().insert(lookup.primary, std::move(marker), lookup.generation);
      key = variantKey(lookup.primary, decision.vary.names, request.base());
    }
    switch (cache_.store().insert(key, std::move(entry), lookup.generation)) {
      case ResponseStore::InsertResult::kStored:
        cache_.stats().stores.inc(worker(state));
        break;
      case ResponseStore::InsertResult::kTooLarge:
        cache_.stats().notStored(state.worker_index, NotStored::kTooLarge);
        break;
      case ResponseStore::InsertResult::kPurged:
        cache_.stats().notStored(state.worker_index, NotStored::kPurged);
        break;
    }
  }

  void storePass(const http::FilterState& state, const CacheRequest& lookup, Clock::time_point now) const {
    auto pass = std::make_shared<CacheEntry>();
    pass->kind = CacheEntry::Kind::kPass;
    pass->stored_at = now;
    pass->expires_at = now + kPassLifetime;
    pass->route = std::string(state.route_name);
    pass->path = std::string(state.path);
    cache_.store().insert(lookup.key, std::move(pass), lookup.generation);
  }

  std::shared_ptr<const CacheSettings> defaults_;
  ResponseCache& cache_;
  std::shared_ptr<ResponseCache> owned_;  // without a process-wide cache (tests): its own
};

std::vector<PurgeCommand> purgeCommands(const portico::filters::cache::v1::Cache& in) {
  std::vector<PurgeCommand> out;
  out.reserve(static_cast<size_t>(in.purges_size()));
  for (const auto& purge : in.purges()) out.push_back(PurgeCommand{purge.id(), PurgeMatch{purge.route(), purge.path_prefix()}});
  return out;
}

absl::StatusOr<std::shared_ptr<const CacheSettings>> compile(const google::protobuf::Any& any,
                                                             portico::filters::cache::v1::Cache& in,
                                                             const http::FilterBuildContext& context) {
  if (!any.UnpackTo(&in)) {
    return absl::InvalidArgumentError(cat("expected portico.filters.cache.v1.Cache, got ", any.type_url()));
  }
  return compileCacheSettings(in, &context);
}

// What a config asks of the proxy's one cache: memory (the largest max_size wins), or purges on
// its Redis server.
void stage(ResponseCache& cache, const CacheSettings& settings) {
  if (settings.redis != nullptr) {
    cache.stageRedis(settings.redis->client()->address().text);
  } else {
    cache.stageCapacity(settings.max_size_bytes);
  }
}

class CacheFactory : public http::FilterFactory {
 public:
  absl::StatusOr<http::HttpFilterConstSharedPtr> createFilter(const google::protobuf::Any& config,
                                                              const http::FilterBuildContext& context) const override {
    portico::filters::cache::v1::Cache in;
    auto settings = compile(config, in, context);
    if (!settings.ok()) return settings.status();
    if (context.cache == nullptr) {
      // No process-wide cache (unit tests of other parts): a private one, sized by this config.
      auto owned = std::make_shared<ResponseCache>(context.worker_count);
      owned->store().setCapacity((*settings)->max_size_bytes);
      return std::make_shared<CacheFilter>(std::move(*settings), *owned, owned);
    }
    stage(*context.cache, **settings);
    context.cache->stagePurges(in.purge_epoch(), purgeCommands(in));
    return std::make_shared<CacheFilter>(std::move(*settings), *context.cache, nullptr);
  }

  absl::StatusOr<http::FilterRouteConfigConstSharedPtr> createRouteConfig(
      const google::protobuf::Any& config, const http::FilterBuildContext& context) const override {
    portico::filters::cache::v1::Cache in;
    auto settings = compile(config, in, context);
    if (!settings.ok()) return settings.status();
    if (context.cache != nullptr) stage(*context.cache, **settings);
    return http::FilterRouteConfigConstSharedPtr(std::move(*settings));
  }
};

}  // namespace

const http::FilterFactory& cacheFactory() {
  static const CacheFactory kFactory;
  return kFactory;
}

}  // namespace portico::dp::filters::cache
