#pragma once

// Whether a response may be stored, and for how long — the cache's rules in one place
// (docs/cache.md, "What is stored"):
// - only configured statuses and content types, and only up to max_entry_bytes;
// - never with Cache-Control no-store, private or no-cache (this cache does not revalidate),
//   with Set-Cookie (a shared cache must not hand one client's session to another), or with
//   Vary: *;
// - a request that carried Authorization only when the response allows a shared cache to
//   reuse it (public, s-maxage or must-revalidate: RFC 9111 §3.5) or when authorization is one
//   of the key_headers (each credential then has its own entry);
// - freshness: s-maxage, else max-age, else Expires − Date, else the configured ttl, minus the
//   response's Age; nothing fresh for at least a second is stored.
// Request Cache-Control (no-cache, no-store, max-age…) is ignored, as Kong's proxy-cache and
// most CDNs do by default: a client must not be able to force traffic onto the upstream.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "data-plane/filters/cache/cache_control.h"
#include "data-plane/filters/cache/cache_settings.h"
#include "data-plane/filters/cache/response_store.h"
#include "data-plane/router/message.h"

namespace portico::dp::filters::cache {

enum class NotStored {
  kStatus,
  kContentType,
  kTooLarge,
  kNoStore,
  kPrivate,
  kNoCache,
  kSetCookie,
  kVaryStar,
  kAuthorization,
  kNotFresh,
  kPurged,  // a purge ran while the response was being fetched
};
inline constexpr int kNotStoredCount = static_cast<int>(NotStored::kPurged) + 1;
// The metric label: "status", "content_type", "too_large", "no_store", ...
const char* notStoredName(NotStored reason);

struct StoreDecision {
  bool store = false;
  NotStored reason = NotStored::kStatus;  // when !store
  std::chrono::seconds ttl{0};            // when store: how long it stays fresh from now
  int64_t age = 0;                        // the response's Age (seconds)
  VaryHeaders vary;
};

// `request` is the request as the filter saw it; `response` the response about to be sent
// (body whole). `now_unix`: the wall clock, for Expires and Date.
StoreDecision decideStore(const CacheSettings& settings, const router::Request& request,
                          const router::Response& response, int64_t now_unix);

// The response's fields and body as a hit will send them: without hop-by-hop and framing
// fields (the session sets them again), Age and X-Cache (set per hit), the gateway's request id
// header (`request_id_header`, per request) and the gateway's own Via entry (`via`, appended
// again per response).
StoredResponse storedResponse(const router::Response& response, std::string_view request_id_header,
                              std::string_view via);

}  // namespace portico::dp::filters::cache
