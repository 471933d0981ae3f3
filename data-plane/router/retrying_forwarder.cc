#include "data-plane/router/retrying_forwarder.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <charconv>

#include "common/strings.h"
#include "data-plane/http/raw_fields.h"
#include "data-plane/listener/worker.h"
#include "data-plane/router/retry_backoff.h"

namespace portico::dp::router {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

using net::kNoThrow;

Clock::time_point tryDeadline(const RetryPolicy* policy, Clock::time_point deadline) {
  if (policy == nullptr || policy->per_try_timeout <= absl::ZeroDuration()) return deadline;
  const auto per_try = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                          absl::ToChronoNanoseconds(policy->per_try_timeout));
  return std::min(deadline, per_try);
}

// The fields of one try: the request's added fields and the attempt count, when there is a
// policy. A client cannot have sent the count (x-portico-* is stripped on arrival).
struct TryFields {
  http::AddedFields added;
  char digits[12];

  TryFields(const http::AddedFields& request_added, const RetryPolicy* policy, uint32_t attempt)
      : added(request_added) {
    if (policy == nullptr) return;
    const auto end = std::to_chars(digits, digits + sizeof(digits), attempt).ptr;
    added.add(kAttemptCountHeader, std::string_view(digits, static_cast<size_t>(end - digits)));
  }
  TryFields(const TryFields&) = delete;  // `added` points into `digits`
  TryFields& operator=(const TryFields&) = delete;
};

void reportToOutlierDetection(listener::Worker& worker, const upstream::Cluster& cluster,
                              const UpstreamResult& result) {
  if (!cluster.outlier || result.endpoint == nullptr) return;
  const std::optional<upstream::outlier::TryResult> kind = outlierResult(result);
  if (!kind) return;
  if (*kind == upstream::outlier::TryResult::kSuccess) {
    upstream::outlier::recordResult(cluster, *result.endpoint, *kind, 0,
                                    0);  // only resets counters
  } else {
    upstream::outlier::recordResult(cluster, *result.endpoint, *kind,
                                    upstream::EndpointState::nowNs(),
                                    worker.requestIds().nextRandom());
  }
}

bool retriable(const RetryPolicy& policy, const UpstreamResult& result, TryOutcome outcome) {
  if (outcome != TryOutcome::kResponse) return policy.retriable(outcome);
  return policy.retriable(outcome, result.response.result_int(), &result.response.base());
}

// Waits until `until` on the worker's timer (the thread keeps serving other requests).
net::Awaitable<void> sleepUntil(listener::Worker& worker, Clock::time_point until) {
  net::Timer timer(worker.io(), until);
  co_await timer.async_wait(kNoThrow);
}

UpstreamResult routeTimeoutInBackoff(UpstreamResult last) {
  UpstreamResult out;
  out.outcome = UpstreamOutcome::kTimeout;
  out.detail = cat("route timeout passed while waiting to retry (last try: ",
                   last.outcome == UpstreamOutcome::kOk ? cat("status ", last.response.result_int())
                                                        : last.detail,
                   ")");
  out.upstream_host = std::move(last.upstream_host);
  out.endpoint = last.endpoint;
  out.attempts = last.attempts;
  return out;
}

}  // namespace

TryOutcome tryOutcome(const UpstreamResult& result, bool route_bound) {
  switch (result.outcome) {
    case UpstreamOutcome::kOk:
      return TryOutcome::kResponse;
    case UpstreamOutcome::kConnectFailed:
    case UpstreamOutcome::kConnectTimeout:
      return TryOutcome::kConnectFailure;
    case UpstreamOutcome::kTimeout:
      return route_bound ? TryOutcome::kFinal : TryOutcome::kPerTryTimeout;
    case UpstreamOutcome::kReset:
    case UpstreamOutcome::kBadResponse:  // Envoy: a protocol error resets the stream
      return TryOutcome::kReset;
    case UpstreamOutcome::kResponseTooLarge:  // the same response again would not fit either
    case UpstreamOutcome::kNoEndpoint:
    case UpstreamOutcome::kOverloaded:  // Envoy never retries an overflow
      return TryOutcome::kFinal;
  }
  return TryOutcome::kFinal;
}

std::optional<upstream::outlier::TryResult> outlierResult(const UpstreamResult& result) {
  switch (result.outcome) {
    case UpstreamOutcome::kOk:
      return upstream::outlier::resultForStatus(result.response.result_int());
    case UpstreamOutcome::kConnectFailed:
    case UpstreamOutcome::kConnectTimeout:
    case UpstreamOutcome::kTimeout:
    case UpstreamOutcome::kReset:
    case UpstreamOutcome::kBadResponse:
      return upstream::outlier::TryResult::kGatewayFailure;
    case UpstreamOutcome::kResponseTooLarge:
    case UpstreamOutcome::kNoEndpoint:
    case UpstreamOutcome::kOverloaded:
      return std::nullopt;
  }
  return std::nullopt;
}

net::Awaitable<void> forwardWithRetries(listener::Worker& worker, const upstream::Cluster& cluster,
                                        const RetryPolicy* policy, Request& request,
                                        http::AddedFields added, Clock::time_point deadline,
                                        upstream::PickContext pick, UpstreamResult& result) {
  const RequestView view{request.method_string(), {}, {}, &request.base()};
  uint32_t retries_left = policy != nullptr && policy->retry_on != 0 && policy->allowsRequest(view)
                              ? policy->num_retries
                              : 0;
  std::optional<RetryBackoff> backoff;
  upstream::ResourceSlot retry_slot;  // held from scheduling a retry until that try has ended
  for (uint32_t attempt = 1;; ++attempt) {
    if (attempt > 1) result = UpstreamResult();  // each try starts from a fresh result
    const TryFields try_fields(added, policy, attempt);
    const Clock::time_point try_deadline = tryDeadline(policy, deadline);
    co_await forwardUpstream(worker, cluster, request, try_fields.added, try_deadline, pick, result);
    result.attempts = attempt;
    const TryOutcome outcome = tryOutcome(result, try_deadline == deadline);
    if (result.outcome == UpstreamOutcome::kTimeout) {
      result.detail =
          cat(try_deadline == deadline ? "route timeout: " : "per-try timeout: ", result.detail);
    }
    reportToOutlierDetection(worker, cluster, result);
    retry_slot.release();
    if (retries_left > 0 && policy->has(RetryPolicy::kRetriableHeaders) && !result.raw_fields.empty()) {
      http::adoptRawFields(result.raw_fields, result.response);  // retriable() reads them
    }
    if (retries_left == 0 || !retriable(*policy, result, outcome) || Clock::now() >= deadline) {
      co_return;
    }
    retry_slot = cluster.state->tryAcquire(upstream::Resource::kRetries, cluster.limits);
    if (!retry_slot) {
      // Envoy: the request ends with this try's result, unretried.
      upstream::ClusterCounters::bump(cluster.state->counters.retry_overflow);
      co_return;
    }
    --retries_left;
    upstream::ClusterCounters::bump(cluster.state->counters.retries);
    pick.avoid(result.endpoint);  // every endpoint tried so far (up to kMaxAvoided)
    if (!backoff) backoff.emplace(policy->backoff_base, policy->backoff_max);
    const auto wait = std::chrono::duration_cast<Clock::duration>(
        absl::ToChronoNanoseconds(backoff->next(worker.requestIds().nextRandom())));
    const Clock::time_point now = Clock::now();
    if (deadline - now <= wait) {
      co_await sleepUntil(worker, deadline);
      result = routeTimeoutInBackoff(std::move(result));
      co_return;
    }
    co_await sleepUntil(worker, now + wait);
  }
}

}  // namespace portico::dp::router
