#pragma once

// The response cache filter (portico.filters.cache.v1.Cache; docs/cache.md).
//
// decodeHeaders: a request whose method the config caches is looked up by its key (cache_key.h)
// in the proxy's one ResponseStore. A fresh entry is a hit: the stored response is sent as the
// local reply, with Age and X-Cache: HIT, and nothing goes upstream. Otherwise it is a miss: the
// first miss on a key leads the key's fill and goes upstream; misses on the same key meanwhile
// (any worker) wait for it — bounded by the route's timeout — and are then answered from what
// it stored, or, when it stored nothing, go upstream themselves (cache_fill.h).
// encodeHeaders: a miss's response is stored when cache_policy.h allows (and X-Cache: MISS is
// added); then the fill's waiters are woken. Requests whose method is not cached get X-Cache:
// BYPASS.

#include "data-plane/http/filter.h"

namespace portico::dp::filters::cache {

// Registered for type.googleapis.com/portico.filters.cache.v1.Cache.
const http::FilterFactory& cacheFactory();

}  // namespace portico::dp::filters::cache
