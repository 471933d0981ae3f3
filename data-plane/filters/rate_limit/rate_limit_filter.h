#pragma once

// Rate limiting (portico.filters.rate_limit.v1.RateLimit). Policy LOCAL: Envoy
// local_ratelimit's token bucket (token_bucket.h): `burst` tokens at most (default: `limit`),
// `limit` tokens added every `window`; algorithm fixed_window is the same bucket with
// burst = limit. One bucket per key per proxy, shared by all its workers and exact under
// concurrency (bucket_table.h); kept across configuration pushes (limiter_registry.h).
//
// Key: `consumer` (the identified consumer's name), `client_ip` (the XFF-aware client
// address), `header:<name>`, `claim:<name>` (a verified JWT claim) or `global` (one bucket for
// everyone). A request without the key's value is counted by its client address instead.
// A consumer's own rate-limit plugin replaces the route's for that consumer's requests (its own
// limit, its own buckets).
//
// Every response on a limited route carries RateLimit-Limit, RateLimit-Remaining and
// RateLimit-Reset (seconds until the next fill) and X-RateLimit-Limit / X-RateLimit-Remaining;
// a refused request gets 429 `rate_limited` with Retry-After and a JSON body.
//
// Policy REDIS: the counters are in Redis, shared by every proxy (redis_limiter.h: fixed window,
// sliding window or token bucket, one atomic script per request). When Redis does not answer
// within its timeout the request passes (fail_open) or gets 503 `rate_limit_unavailable`.

#include "data-plane/http/filter.h"

namespace portico::dp::filters::rate_limit {

// Registered for type.googleapis.com/portico.filters.rate_limit.v1.RateLimit.
const http::FilterFactory& rateLimitFactory();

}  // namespace portico::dp::filters::rate_limit
