#pragma once

// A jwt_authn provider (JwtProvider) compiled for the request path, with the companion policy
// Portico adds (portico.filters.jwt_policy.v1.ProviderPolicy): issuer, audiences, where its keys
// come from, where its tokens are found, what a verified token adds to the request, and the
// metric series it counts into. Immutable once built; shared by all workers.

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/metrics/sharded_metrics.h"
#include "data-plane/filters/jwt_authn/algorithm.h"
#include "data-plane/filters/jwt_authn/jwks.h"
#include "data-plane/filters/jwt_authn/jwt_status.h"
#include "data-plane/filters/jwt_authn/remote_jwks.h"

namespace portico::dp::filters::jwt_authn {

// Where a token is looked for. Header names are lower case.
struct TokenLocation {
  enum class Kind { kHeader, kParam };
  Kind kind = Kind::kHeader;
  std::string name;
  std::string prefix;  // headers: the value prefix ("Bearer "), matched case-insensitively

  bool operator==(const TokenLocation& other) const {
    return kind == other.kind && name == other.name && prefix == other.prefix;
  }
};

// A claim copied into a request header (claim_to_headers). `path` is the claim name split on
// '.' (nested claims).
struct ClaimHeader {
  std::string header;  // lower case
  std::vector<std::string> path;
};

inline constexpr size_t kDefaultMaxTokenBytes = 8 << 10;

struct Provider {
  uint32_t index = 0;  // position in the filter's provider list
  std::string name;
  std::string issuer;  // empty: any issuer
  std::vector<std::string> audiences;  // empty: audiences not checked
  JwksConstSharedPtr local_jwks;       // one of these two
  std::shared_ptr<RemoteJwks> remote_jwks;
  bool forward = false;                // keep the token in the upstream request
  std::vector<TokenLocation> locations;  // never empty (Envoy's defaults when none configured)
  std::vector<ClaimHeader> claim_to_headers;
  std::string forward_payload_header;  // lower case; empty: none
  int64_t clock_skew_seconds = 60;
  bool require_expiration = false;
  size_t max_token_bytes = kDefaultMaxTokenBytes;
  // From the companion policy.
  AlgorithmSet algorithms = AlgorithmSet::all();
  std::vector<std::vector<std::string>> required_claims;  // dotted paths, split
  std::vector<std::string> consumer_claim;               // dotted path, split; empty: none
  // portico_proxy_jwt_verifications_total{provider=name, outcome=…}, by JwtStatus.
  std::array<metrics::ShardedCounter*, static_cast<size_t>(JwtStatus::kCount)> outcomes{};

  void count(JwtStatus status, size_t worker) const {
    if (auto* counter = outcomes[static_cast<size_t>(status)]) counter->inc(static_cast<int>(worker));
  }
};

}  // namespace portico::dp::filters::jwt_authn
