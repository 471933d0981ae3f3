#pragma once

// Verifies one token for one provider: size cap, then (unless this worker verified the very same
// token against the same key set before) parse, allowed algorithm, issuer, key selection by kid
// and algorithm, signature; then, every time, the claims that depend on the moment or on the
// requirement — exp/nbf with the provider's clock skew, "exp" required, audiences (the
// provider's, or a requirement's override), required claims, and the revocation list.
//
// Order: cheap checks that need no key come first (format, algorithm, issuer), and claim values
// are judged only once the signature holds, so a forged payload learns nothing but "bad
// signature".
//
// Verified-token cache: each worker keeps the last 256 verified tokens (direct-mapped by a hash
// of the token, compared in full) with the id of the key set that verified them, so a client
// sending the same token again costs a hash and a compare instead of a JSON parse and a
// signature check. An entry is used only for the same provider and the same key set (a rotated
// key set invalidates it); its claims are re-checked on every use. The cache belongs to the
// filter, which belongs to one snapshot, so a new revocation list comes with an empty cache.
//
// Key selection (as Envoy's jwt_verify_lib): a key is a candidate when the kids agree (or
// either has none) and the key can verify the token's algorithm (Jwk::canVerify: key type,
// key "alg", curve, HMAC length). No candidate: "unknown kid", which for a remote key set asks
// for a refetch (rate-bounded, remote_jwks.h) and, when the caller may wait, reports the
// fetch as pending.
//
// Threading: verify*() on workers, each with its own worker index.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "data-plane/filters/jwt_authn/jwt.h"
#include "data-plane/filters/jwt_authn/provider.h"

namespace boost::json {
class value;
}

namespace portico::dp::filters::jwt_authn {

// Seconds since the Unix epoch (injectable for tests).
using Clock = std::function<int64_t()>;
Clock systemClock();

using RevokedSet = absl::flat_hash_set<std::string>;

struct TokenCheck {
  JwtStatus status = JwtStatus::kMalformed;
  std::shared_ptr<const Jwt> jwt;  // kOk only
  const Provider* provider = nullptr;  // the provider that judged it (null: none was chosen)
  RemoteJwks* pending = nullptr;       // set when the outcome waits for a fetch under way
};

class TokenVerifier {
 public:
  TokenVerifier(size_t worker_count, std::shared_ptr<const RevokedSet> revoked, Clock clock);
  ~TokenVerifier();

  // For a provider named by the requirement. `audiences`: the requirement's override, or null.
  // `may_wait`: a missing key set or an unknown kid with a fetch under way gives `pending`
  // instead of a failure.
  TokenCheck verify(const Provider& provider, std::string_view token, const std::vector<std::string>* audiences,
                    size_t worker, bool may_wait) const;

  // For allow_missing / allow_missing_or_failed: the provider is chosen by the token's issuer
  // among `candidates` (the providers that look where the token was found): the first whose
  // issuer equals "iss", else the first without an issuer; none: kUnknownIssuer.
  TokenCheck verifyByIssuer(const std::vector<const Provider*>& candidates, std::string_view token, size_t worker,
                            bool may_wait) const;

  int64_t now() const { return clock_(); }
  size_t workerCount() const { return worker_count_; }

 private:
  struct Entry;
  struct WorkerCache;

  const Provider* chooseByIssuer(const std::vector<const Provider*>& candidates,
                                 const std::optional<std::string>& iss) const;
  // The cached verification of `token` by `provider` with the provider's current keys, or null.
  std::shared_ptr<const Jwt> cached(const Provider& provider, std::string_view token, uint64_t hash,
                                    size_t worker) const;
  // Everything after parsing, for a chosen provider.
  TokenCheck verifyParsed(const Provider& provider, std::string_view token, uint64_t hash,
                          std::string_view signing_input, std::shared_ptr<Jwt> jwt,
                          const std::vector<std::string>* audiences, size_t worker, bool may_wait) const;
  JwtStatus checkClaims(const Provider& provider, const Jwt& jwt, const std::vector<std::string>* audiences) const;

  const size_t worker_count_;
  const std::shared_ptr<const RevokedSet> revoked_;
  const Clock clock_;
  const std::unique_ptr<WorkerCache[]> caches_;
};

// The value at `path` in `claims` (nested objects), or null.
const boost::json::value* findClaim(const boost::json::object& claims, const std::vector<std::string>& path);

}  // namespace portico::dp::filters::jwt_authn
