#pragma once

// Envoy's route RetryPolicy → router::RetryPolicy. Accepted:
// - retry_on: a comma-separated list of connect-failure, reset, refused-stream, 5xx,
//   gateway-error, retriable-4xx, retriable-status-codes, retriable-headers (spaces allowed).
//   Envoy ignores names it does not know; Portico refuses them by name (a misspelt condition
//   must not silently turn retries off).
// - num_retries (default 1), per_try_timeout (>= 0; 0: none).
// - retry_back_off: base_interval > 0 (default 25 ms), max_interval >= base (default 10 × base).
// - retriable_status_codes (100..599; used with retriable-status-codes), retriable_headers
//   (used with retriable-headers; ":status" matches the response status),
//   retriable_request_headers (any must match for a request to be retried).
// Fields of Envoy's RetryPolicy outside our proto subset (host predicates, rate-limited
// back-off, ...) are unknown fields and never reach this compiler.

#include <memory>
#include <string>
#include <vector>

#include "data-plane/router/retry_policy.h"
#include "envoy/config/route/v3/route_components.pb.h"

namespace portico::dp::config {

// Null (with errors appended, prefixed by `where`) when the policy is invalid.
std::shared_ptr<const router::RetryPolicy> compileRetryPolicy(
    const envoy::config::route::v3::RetryPolicy& in, const std::string& where,
    std::vector<std::string>& errors);

}  // namespace portico::dp::config
