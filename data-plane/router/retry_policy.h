#pragma once

// Envoy's RetryPolicy as the router runs it: which failed tries are retried, how many times,
// how long one try may take and how long to wait between tries. Compiled from the route's (or
// its virtual host's) retry_policy by config/retry_policy_compiler.h; immutable, shared by the
// routes that use it. The retry loop itself is in retrying_forwarder.h.

#include <boost/beast/http/fields.hpp>
#include <cstdint>
#include <vector>

#include "absl/time/time.h"
#include "data-plane/router/route_table.h"
#include "data-plane/router/message.h"

namespace portico::dp::router {

// How a finished try ended, as far as retrying is concerned.
enum class TryOutcome : uint8_t {
  kResponse,        // a complete response, whatever its status
  kConnectFailure,  // refused, unreachable, or the cluster's connect timeout passed
  kReset,           // the connection failed mid-exchange, or the response was malformed
  kPerTryTimeout,   // per_try_timeout passed before the response was complete
  kFinal,           // never retried: the route timeout, an open breaker, no endpoint, ...
};

struct RetryPolicy {
  // Envoy's retry_on conditions Portico implements, as bits.
  enum Condition : uint32_t {
    kConnectFailure = 1u << 0,        // "connect-failure"
    kReset = 1u << 1,                 // "reset": no response (disconnect, reset, per-try timeout)
    kRefusedStream = 1u << 2,         // "refused-stream": an HTTP/1 upstream has no streams to
                                      // refuse; a reset is the closest event, so it counts
    k5xx = 1u << 3,                   // "5xx": any 5xx response, and everything "reset" covers
    kGatewayError = 1u << 4,          // "gateway-error": 502/503/504, and everything "reset" covers
    kRetriable4xx = 1u << 5,          // "retriable-4xx": 409
    kRetriableStatusCodes = 1u << 6,  // "retriable-status-codes": retriable_status_codes
    kRetriableHeaders = 1u << 7,      // "retriable-headers": retriable_headers
  };

  uint32_t retry_on = 0;     // Condition bits; 0: nothing is retried (per_try_timeout still holds)
  uint32_t num_retries = 1;  // Envoy's default when the policy is present
  absl::Duration per_try_timeout = absl::ZeroDuration();  // zero: a try may take the route timeout
  absl::Duration backoff_base = absl::Milliseconds(25);
  absl::Duration backoff_max = absl::Milliseconds(250);  // Envoy's default: 10 × base
  std::vector<uint32_t> retriable_status_codes;
  // Response headers that call for a retry (any of them). A matcher named ":status" reads the
  // response status: it is compiled with the name ":method", which HeaderMatcher reads from
  // RequestView::method, and the status digits are passed there (see retriable()).
  std::vector<HeaderMatcher> retriable_headers;
  // Only requests matching one of these are retried; none given: every request. portico-cp
  // sends a ":method" regex of the idempotent methods here unless the route allows others.
  std::vector<HeaderMatcher> retriable_request_headers;
  // allowsRequest()'s answer per method (indexed by boost::beast::http::verb) when every
  // retriable_request_headers matcher reads only ":method", as portico-cp's idempotent-methods
  // regex does: a request then costs a method lookup instead of a regex match. Empty when not
  // applicable. Filled by precomputeMethodVerdicts() once the matchers are compiled.
  std::vector<bool> method_verdicts;

  bool has(Condition condition) const { return (retry_on & condition) != 0; }
  // May this request be retried at all (retriable_request_headers)?
  bool allowsRequest(const RequestView& request) const;
  // Fills method_verdicts from retriable_request_headers (config compile time, not per request).
  void precomputeMethodVerdicts();
  // Does a try that ended with `outcome` call for a retry? For kResponse, `status` and
  // `headers` describe the response.
  bool retriable(TryOutcome outcome, unsigned status = 0,
                 const router::Fields* headers = nullptr) const;
};

}  // namespace portico::dp::router
