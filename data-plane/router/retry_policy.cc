#include "data-plane/router/retry_policy.h"

#include <boost/beast/http/verb.hpp>

#include <algorithm>
#include <charconv>

namespace portico::dp::router {

namespace {

// Conditions that retry a try which got no response at all (Envoy's wouldRetryFromReset: reset,
// 5xx and gateway-error all cover disconnects, resets and per-try timeouts).
constexpr uint32_t kNoResponse =
    RetryPolicy::kReset | RetryPolicy::k5xx | RetryPolicy::kGatewayError;

bool gatewayError(unsigned status) { return status == 502 || status == 503 || status == 504; }

}  // namespace

bool RetryPolicy::allowsRequest(const RequestView& request) const {
  if (retriable_request_headers.empty()) return true;
  if (!method_verdicts.empty()) {
    // string_to_verb is exact (methods are case-sensitive): a known verb is spelled exactly as
    // the string its verdict was computed from.
    const boost::beast::http::verb verb = boost::beast::http::string_to_verb(request.method);
    if (verb != boost::beast::http::verb::unknown) return method_verdicts[static_cast<size_t>(verb)];
  }
  return std::any_of(retriable_request_headers.begin(), retriable_request_headers.end(),
                     [&](const HeaderMatcher& matcher) { return matcher.matches(request); });
}

void RetryPolicy::precomputeMethodVerdicts() {
  method_verdicts.clear();
  if (retriable_request_headers.empty()) return;
  for (const HeaderMatcher& matcher : retriable_request_headers) {
    if (matcher.name != ":method") return;  // depends on other headers: matched per request
  }
  const auto last = static_cast<size_t>(boost::beast::http::verb::unlink);
  std::vector<bool> verdicts(last + 1, false);
  for (size_t v = 1; v <= last; ++v) {
    const auto verb = static_cast<boost::beast::http::verb>(v);
    const RequestView view{boost::beast::http::to_string(verb)};
    verdicts[v] = std::any_of(retriable_request_headers.begin(), retriable_request_headers.end(),
                              [&](const HeaderMatcher& matcher) { return matcher.matches(view); });
  }
  method_verdicts = std::move(verdicts);
}

bool RetryPolicy::retriable(TryOutcome outcome, unsigned status,
                            const router::Fields* headers) const {
  switch (outcome) {
    case TryOutcome::kConnectFailure:
      return (retry_on & (kNoResponse | kConnectFailure)) != 0;
    case TryOutcome::kReset:
      return (retry_on & (kNoResponse | kRefusedStream)) != 0;
    case TryOutcome::kPerTryTimeout:
      return (retry_on & kNoResponse) != 0;
    case TryOutcome::kFinal:
      return false;
    case TryOutcome::kResponse:
      break;
  }
  if (has(k5xx) && status >= 500 && status <= 599) return true;
  if (has(kGatewayError) && gatewayError(status)) return true;
  if (has(kRetriable4xx) && status == 409) return true;
  if (has(kRetriableStatusCodes) &&
      std::find(retriable_status_codes.begin(), retriable_status_codes.end(), status) !=
          retriable_status_codes.end()) {
    return true;
  }
  if (has(kRetriableHeaders) && !retriable_headers.empty()) {
    char digits[8];
    const auto end = std::to_chars(digits, digits + sizeof(digits), status).ptr;
    const RequestView response{
        std::string_view(digits, static_cast<size_t>(end - digits)), {}, {}, headers};
    return std::any_of(retriable_headers.begin(), retriable_headers.end(),
                       [&](const HeaderMatcher& matcher) { return matcher.matches(response); });
  }
  return false;
}

}  // namespace portico::dp::router
