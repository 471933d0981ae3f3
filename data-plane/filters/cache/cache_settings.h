#pragma once

// A cache config (portico.filters.cache.v1.Cache) compiled for the request path: the filter's
// default (the listener's filter-level config) or a route's, virtual host's or consumer's
// override. Immutable; shared by every worker.

#include <boost/beast/http/verb.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "data-plane/filters/cache/redis_backend.h"
#include "data-plane/http/filter.h"

namespace portico::filters::cache::v1 {
class Cache;
}

namespace portico::dp::filters::cache {

// What a field left at its proto3 zero means: the plugin's defaults (docs/config.md). The
// control plane always sets them; other xDS servers may not.
inline constexpr std::chrono::seconds kDefaultTtl{300};  // when `ttl` is absent (0s is kept)
inline constexpr uint64_t kDefaultMaxSizeBytes = uint64_t{64} << 20;
inline constexpr uint64_t kDefaultMaxEntryBytes = uint64_t{1} << 20;

class CacheSettings : public http::FilterRouteConfig {
 public:
  std::chrono::seconds ttl{0};  // when the response says nothing (cache_control.h)
  bool get = false;             // GET requests are cached
  bool head = false;            // HEAD requests are cached
  std::vector<unsigned> statuses;            // sorted
  std::vector<std::string> content_types;    // lower case media types ("text/*" allowed); empty: any
  uint64_t max_size_bytes = 0;               // the whole cache (ResponseCache takes the largest)
  uint64_t max_entry_bytes = 0;              // largest stored response (headers + body)
  bool include_query = true;
  std::vector<std::string> query_params;     // sorted; empty: the whole query string
  std::vector<std::string> key_headers;      // lower case, sorted, unique
  bool key_has_authorization = false;        // "authorization" is among key_headers
  // backend REDIS: the shared cache's server (redis_backend.h); null: the proxy's memory.
  std::shared_ptr<const RedisBackend> redis;

  bool cacheableMethod(boost::beast::http::verb method) const {
    return (method == boost::beast::http::verb::get && get) || (method == boost::beast::http::verb::head && head);
  }
  bool cacheableStatus(unsigned status) const;
  // `content_type` is a Content-Type field value; its media type (before ';') must be listed.
  bool cacheableContentType(std::string_view content_type) const;
};

// Validates and compiles. InvalidArgument naming the field: an unknown method, a status out of
// 200..599, a max_entry_bytes above max_size_bytes, backend REDIS without a valid
// redis.address. Zero values take the plugin's defaults: no methods → GET and HEAD, no
// statuses → 200, no ttl → 300 s, no max_size_bytes → 64 MiB, no max_entry_bytes → 1 MiB (at
// most max_size), no redis.timeout → 50 ms.
// Backend REDIS takes its client from `context`'s registry (a private client without one).
absl::StatusOr<std::shared_ptr<const CacheSettings>> compileCacheSettings(const portico::filters::cache::v1::Cache& in,
                                                                          const http::FilterBuildContext* context = nullptr);

}  // namespace portico::dp::filters::cache
