#pragma once

// Quotas like AWS usage plans (portico.filters.quota.v1.Quota): `limit` requests per key
// (usually the consumer) per calendar day or month in UTC, counted in Redis so that every proxy
// shares the count (quota_counter.h). Every response on the route carries X-Quota-Limit,
// X-Quota-Remaining and X-Quota-Reset (seconds until the period ends); once the quota is spent,
// requests get 429 `quota_exceeded` with Retry-After until the next period. When Redis does not
// answer within its timeout the request passes (fail_open, the plugin's default) or gets 503
// `quota_unavailable`. A consumer's own quota plugin replaces the route's.

#include "data-plane/http/filter.h"

namespace portico::dp::filters::quota {

// Registered for type.googleapis.com/portico.filters.quota.v1.Quota.
const http::FilterFactory& quotaFactory();

}  // namespace portico::dp::filters::quota
