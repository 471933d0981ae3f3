#pragma once

// The router's upstream call: tries (upstream_request.h) under the route's retry policy, Envoy
// style. Each try gets min(route deadline, now + per_try_timeout); a failed try that the policy
// calls retriable is retried on an endpoint not tried yet if the cluster has one eligible
// (PickContext::avoid: Envoy's previous_hosts), after an exponential backoff with full jitter
// (retry_backoff.h) waited on the worker's timer, while retries are left, the route deadline has not passed and the cluster's retry breaker
// (max_retries or retry_budget) has room. The route timeout bounds all tries and backoffs
// together. The answer is the last try's result: a 503 that stays 503 after every retry is the
// upstream's 503, not a local reply; response bodies of failed tries are dropped. Every try
// reports its result to outlier detection for its endpoint.
//
// Runs on a worker thread, in the request's coroutine: nothing blocks, nothing is shared but
// the cluster's atomics.

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <optional>

#include "data-plane/net/executor.h"
#include "data-plane/router/retry_policy.h"
#include "data-plane/router/upstream_request.h"
#include "data-plane/upstream/outlier/outlier_detector.h"
#include "data-plane/upstream/pick_context.h"

namespace portico::dp::router {

// The header that tells the upstream which try this is (1 for the first), sent on routes with
// a retry policy (Envoy's x-envoy-attempt-count). Clients cannot send it: x-portico-* headers
// are removed from requests.
inline constexpr char kAttemptCountHeader[] = "x-portico-attempt-count";

// `policy` may be null (one try). `deadline` is the route timeout's end (time_point::max() for
// none). The request, with `added` after its fields (http/added_fields.h; one place must be
// free for the attempt count), must carry the headers the upstream should see, and no
// kAttemptCountHeader (the session strips x-portico-*; each try adds its count without
// looking); its body is sent again on every try. `pick` goes to the load balancer (the route's hash: a retry of a hashed request
// walks on from its endpoint), with the endpoints tried so far avoided on retries.
// The last try's result (or the route timeout's, when it passed during a backoff) is written
// into `result`, which must be default-constructed.
net::Awaitable<void> forwardWithRetries(
    listener::Worker& worker, const upstream::Cluster& cluster, const RetryPolicy* policy,
    Request& request, http::AddedFields added, std::chrono::steady_clock::time_point deadline,
    upstream::PickContext pick, UpstreamResult& result);

// How a try's result counts for the retry decision. `route_bound`: the try's deadline was the
// route's (so a timeout is the route timeout, which is final).
TryOutcome tryOutcome(const UpstreamResult& result, bool route_bound);

// How a try's result counts for outlier detection; none when no endpoint answered or failed
// (no endpoint, an open breaker, an oversized response).
std::optional<upstream::outlier::TryResult> outlierResult(const UpstreamResult& result);

}  // namespace portico::dp::router
