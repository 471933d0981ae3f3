#include "data-plane/config/retry_policy_compiler.h"

#include <string_view>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"
#include "common/strings.h"
#include "data-plane/config/matcher_compiler.h"

namespace portico::dp::config {

namespace {

using router::RetryPolicy;
using Errors = std::vector<std::string>;

constexpr std::pair<std::string_view, RetryPolicy::Condition> kConditions[] = {
    {"connect-failure", RetryPolicy::kConnectFailure},
    {"reset", RetryPolicy::kReset},
    {"refused-stream", RetryPolicy::kRefusedStream},
    {"5xx", RetryPolicy::k5xx},
    {"gateway-error", RetryPolicy::kGatewayError},
    {"retriable-4xx", RetryPolicy::kRetriable4xx},
    {"retriable-status-codes", RetryPolicy::kRetriableStatusCodes},
    {"retriable-headers", RetryPolicy::kRetriableHeaders},
};

absl::Duration toDuration(const google::protobuf::Duration& d) {
  return absl::Seconds(d.seconds()) + absl::Nanoseconds(d.nanos());
}

void compileRetryOn(const std::string& retry_on, const std::string& where, RetryPolicy& out,
                    Errors& errors) {
  for (absl::string_view token : absl::StrSplit(retry_on, ',', absl::SkipWhitespace())) {
    const std::string_view name = sv(absl::StripAsciiWhitespace(token));
    bool known = false;
    for (const auto& [condition_name, condition] : kConditions) {
      if (name == condition_name) {
        out.retry_on |= condition;
        known = true;
      }
    }
    if (!known) {
      errors.push_back(
          cat(where, ".retry_on: \"", name,
              "\" is not supported (connect-failure, reset, refused-stream, 5xx, gateway-error, "
              "retriable-4xx, retriable-status-codes, retriable-headers)"));
    }
  }
}

void compileBackoff(const envoy::config::route::v3::RetryPolicy& in, const std::string& where,
                    RetryPolicy& out, Errors& errors) {
  if (!in.has_retry_back_off()) return;
  const auto& backoff = in.retry_back_off();
  if (backoff.has_base_interval()) out.backoff_base = toDuration(backoff.base_interval());
  if (out.backoff_base <= absl::ZeroDuration()) {
    errors.push_back(cat(where, ".retry_back_off.base_interval: must be positive"));
  }
  // Envoy: max_interval defaults to 10 × base_interval and may not be below it.
  out.backoff_max =
      backoff.has_max_interval() ? toDuration(backoff.max_interval()) : 10 * out.backoff_base;
  if (out.backoff_max < out.backoff_base) {
    errors.push_back(cat(where, ".retry_back_off.max_interval: must be at least base_interval"));
  }
}

void compileMatchers(
    const google::protobuf::RepeatedPtrField<envoy::config::route::v3::HeaderMatcher>& in,
    const std::string& where, std::vector<router::HeaderMatcher>& out, Errors& errors) {
  for (int i = 0; i < in.size(); ++i) {
    router::HeaderMatcher matcher;
    if (compileHeaderMatcher(in[i], cat(where, "[", i, "]"), matcher, errors))
      out.push_back(std::move(matcher));
  }
}

}  // namespace

std::shared_ptr<const RetryPolicy> compileRetryPolicy(
    const envoy::config::route::v3::RetryPolicy& in, const std::string& where, Errors& errors) {
  const size_t errors_before = errors.size();
  auto out = std::make_shared<RetryPolicy>();
  compileRetryOn(in.retry_on(), where, *out, errors);
  if (in.has_num_retries()) out->num_retries = in.num_retries().value();
  if (in.has_per_try_timeout()) {
    out->per_try_timeout = toDuration(in.per_try_timeout());
    if (out->per_try_timeout < absl::ZeroDuration()) {
      errors.push_back(cat(where, ".per_try_timeout: must not be negative"));
    }
  }
  compileBackoff(in, where, *out, errors);
  for (uint32_t code : in.retriable_status_codes()) {
    if (code < 100 || code > 599) {
      errors.push_back(cat(where, ".retriable_status_codes: ", code, " is not an HTTP status"));
    }
    out->retriable_status_codes.push_back(code);
  }
  compileMatchers(in.retriable_headers(), cat(where, ".retriable_headers"), out->retriable_headers,
                  errors);
  for (router::HeaderMatcher& matcher : out->retriable_headers) {
    if (matcher.name == ":status") matcher.name = ":method";  // see RetryPolicy::retriable_headers
  }
  compileMatchers(in.retriable_request_headers(), cat(where, ".retriable_request_headers"),
                  out->retriable_request_headers, errors);
  if (errors.size() != errors_before) return nullptr;
  out->precomputeMethodVerdicts();
  return out;
}

}  // namespace portico::dp::config
