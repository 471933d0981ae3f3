#pragma once

// The jwt_authn filter's compiled config (JwtAuthentication + the listener's JwtPolicy):
// providers, named requirements (requirement_map), rules, the headers every request is cleared
// of, the revocation list and the verifier with its per-worker caches. Built on the xDS thread;
// immutable and shared by all workers afterwards.

#include <re2/re2.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "data-plane/filters/jwt_authn/provider.h"
#include "data-plane/filters/jwt_authn/requirement.h"
#include "data-plane/filters/jwt_authn/token_verifier.h"
#include "data-plane/http/filter.h"

namespace envoy::extensions::filters::http::jwt_authn::v3 {
class JwtAuthentication;
}
namespace portico::filters::jwt_policy::v1 {
class JwtPolicy;
}

namespace portico::dp::filters::jwt_authn {

class JwtAuthnConfig {
 public:
  // Errors name the field ("providers[\"global/idp\"].remote_jwks.http_uri.uri: …").
  // `clock`: null for the system clock.
  static absl::StatusOr<std::shared_ptr<const JwtAuthnConfig>> create(
      const envoy::extensions::filters::http::jwt_authn::v3::JwtAuthentication& proto,
      const portico::filters::jwt_policy::v1::JwtPolicy& policy, const http::FilterBuildContext& context,
      Clock clock = nullptr);

  // The requirement of a rule matching `path` (the first that matches), or null: none matches,
  // or the matching rule requires nothing.
  const Requirement* requirementForPath(std::string_view path) const;
  // requirement_map[name], or null.
  const Requirement* namedRequirement(std::string_view name) const;

  const std::vector<std::string>& sanitizedHeaders() const { return sanitized_headers_; }
  bool bypassCorsPreflight() const { return bypass_cors_preflight_; }
  const TokenVerifier& verifier() const { return *verifier_; }
  const http::ConsumerTable* consumers() const { return consumers_.get(); }
  // Counts a judged token; `provider` null: no provider could be chosen.
  void count(const Provider* provider, JwtStatus status, size_t worker) const;

 private:
  friend struct JwtAuthnConfigBuilder;
  struct Rule {
    enum class Kind { kPrefix, kPath, kRegex };
    Kind kind = Kind::kPrefix;
    std::string value;
    bool case_sensitive = true;
    std::unique_ptr<re2::RE2> regex;
    std::unique_ptr<Requirement> requirement;  // owned inline requirement, or…
    const Requirement* named = nullptr;        // …one of requirement_map (null for both: none)
    bool matches(std::string_view path) const;
  };

  JwtAuthnConfig() = default;

  std::vector<std::unique_ptr<Provider>> providers_;
  absl::flat_hash_map<std::string, std::unique_ptr<Requirement>> requirement_map_;
  std::vector<Rule> rules_;
  std::vector<std::string> sanitized_headers_;
  bool bypass_cors_preflight_ = false;
  std::unique_ptr<TokenVerifier> verifier_;
  std::shared_ptr<const http::ConsumerTable> consumers_;
  std::shared_ptr<metrics::CounterFamily> private_family_;  // when there is no registry (tests)
  std::array<metrics::ShardedCounter*, static_cast<size_t>(JwtStatus::kCount)> unmatched_{};
};

}  // namespace portico::dp::filters::jwt_authn
