#pragma once

// What a response's own headers say about storing it (RFC 9111), reduced to what a shared
// cache that never revalidates needs: Cache-Control's no-store, no-cache, private, public,
// must-revalidate, max-age and s-maxage (§5.2.2), Expires (§5.3) against Date, Age (§5.1) and
// Vary (§4.1). Pure functions over header fields; no clock of their own.

#include "data-plane/router/message.h"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace portico::dp::filters::cache {

// The directives of every Cache-Control field of a message, joined (RFC 9111 §5.2).
struct CacheControl {
  bool no_store = false;
  bool no_cache = false;  // also no-cache="field": this cache never revalidates, so never stores
  bool is_private = false;  // also private="field" (conservatively: the whole response)
  bool is_public = false;
  bool must_revalidate = false;
  std::optional<int64_t> max_age;   // seconds; the first occurrence wins
  std::optional<int64_t> s_maxage;  // seconds
};

// Parses the Cache-Control fields of `fields`. Unknown directives are ignored; directive names
// are case-insensitive; values may be quoted. A max-age or s-maxage that is not a number
// counts as 0 (stale: RFC 9111 §4.2.1 lets a cache treat it so); one too large for 31 bits is
// clamped to 2^31 (§1.2.2).
CacheControl parseCacheControl(const router::Fields& fields);

// A response's Vary (RFC 9111 §4.1): the request header names, lower case, sorted, without
// duplicates. `star` when one of them is "*" (never served from a cache).
struct VaryHeaders {
  std::vector<std::string> names;
  bool star = false;
};
VaryHeaders parseVary(const router::Fields& fields);

// An HTTP-date (RFC 9110 §5.6.7: IMF-fixdate, or the obsolete RFC 850 and asctime forms) as
// seconds since the Unix epoch; nullopt when it is none of them.
std::optional<int64_t> parseHttpDate(std::string_view text);

// How long a response may be served from the cache, RFC 9111 §4.2.1 for a shared cache:
// s-maxage, else max-age, else Expires minus Date (an invalid Expires, such as "0", is already
// expired), else `fallback` (the configured ttl), minus the response's Age (§4.2.3: how old it
// already was when it arrived). Zero or less: not fresh, not worth storing.
std::chrono::seconds freshnessLifetime(const CacheControl& directives, const router::Fields& fields,
                                       std::chrono::seconds fallback, int64_t now_unix);

// The response's Age field in seconds (0 when absent or malformed).
int64_t ageSeconds(const router::Fields& fields);

}  // namespace portico::dp::filters::cache
