#pragma once

// Key names of the Redis backend (docs/cache.md, "Redis backend"). Everything lives under
// "portico:cache:":
//
//   g                  the global generation (a purge of everything INCRs it)
//   g:<route>          the route's generation (a purge of the route INCRs it)
//   f, f:<route>       fences: bumped by prefix purges (any route / this route) so that a
//                      response fetched before the purge is not stored after it
//   purge:<epoch>:<id> set by the first proxy that applies a control-plane purge, so the others
//                      skip it
//   e:<route> <path> <G>.<g>:<digest>
//                      an entry: route and path in clear text (a prefix purge finds them with
//                      SCAN MATCH), the generations it was stored under, and the SHA-256 of the
//                      cache key (cache_key.h: primary key, or variant key), truncated to 128
//                      bits. A purge of a route or of everything changes <G>.<g>: older entries
//                      are never read again and expire by their TTL.
//
// Route names are [A-Za-z0-9_-] (docs/config.md) and a routed path holds no space or control
// character (docs/http-hardening.md), so the space after the route is the first one in the
// key and a glob cannot match across it.

#include <string>
#include <string_view>

namespace portico::dp::filters::cache::redis_keys {

inline constexpr std::string_view kPrefix = "portico:cache:";

std::string globalGeneration();
std::string routeGeneration(std::string_view route);
std::string globalFence();
std::string routeFence(std::string_view route);
std::string purgeMarker(uint64_t epoch, uint64_t id);

// "portico:cache:e:<route> <path> ": what every entry of this route and path starts with.
std::string entryHead(std::string_view route, std::string_view path);
// The entry key: head, the generations ("G.g", from the lookup script), ':' and the digest of
// `cache_key`.
std::string entryKey(std::string_view head, std::string_view generations, std::string_view cache_key);

// The SCAN MATCH pattern of a prefix purge: entries of `route` (empty: any route) whose path
// starts with `path_prefix` (non-empty). Glob characters in either are escaped.
std::string prefixPattern(std::string_view route, std::string_view path_prefix);

}  // namespace portico::dp::filters::cache::redis_keys
