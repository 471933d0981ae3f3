#include "data-plane/filters/jwt_authn/token_verifier.h"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <limits>

#include "common/strings.h"
#include "data-plane/filters/jwt_authn/signature.h"

namespace portico::dp::filters::jwt_authn {

namespace {

constexpr size_t kCacheEntries = 256;

// The key set `provider` verifies with on this worker (null: none yet).
const Jwks* currentKeys(const Provider& provider, size_t worker) {
  if (provider.local_jwks) return provider.local_jwks.get();
  return provider.remote_jwks ? provider.remote_jwks->keys(worker) : nullptr;
}

// a - b and a + b without overflow (token times are attacker-chosen).
int64_t saturatingSub(int64_t a, int64_t b) {
  if (b > 0 && a < std::numeric_limits<int64_t>::min() + b) return std::numeric_limits<int64_t>::min();
  return a - b;
}

}  // namespace

Clock systemClock() {
  return [] {
    return static_cast<int64_t>(
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  };
}

const boost::json::value* findClaim(const boost::json::object& claims, const std::vector<std::string>& path) {
  const boost::json::object* object = &claims;
  const boost::json::value* value = nullptr;
  for (size_t i = 0; i < path.size(); ++i) {
    if (object == nullptr) return nullptr;
    value = object->if_contains(boost::json::string_view(path[i].data(), path[i].size()));
    if (value == nullptr) return nullptr;
    object = value->if_object();
  }
  return value;
}

struct TokenVerifier::Entry {
  uint64_t hash = 0;
  uint32_t provider = 0;
  uint64_t keyset = 0;  // Jwks::id(); 0: empty entry
  std::string token;
  std::shared_ptr<const Jwt> jwt;
};

// One per worker, in cache lines of its own.
struct alignas(64) TokenVerifier::WorkerCache {
  std::vector<Entry> entries = std::vector<Entry>(kCacheEntries);
};

TokenVerifier::TokenVerifier(size_t worker_count, std::shared_ptr<const RevokedSet> revoked, Clock clock)
    : worker_count_(worker_count == 0 ? 1 : worker_count),
      revoked_(revoked ? std::move(revoked) : std::make_shared<const RevokedSet>()),
      clock_(clock ? std::move(clock) : systemClock()),
      caches_(new WorkerCache[worker_count_]) {}

TokenVerifier::~TokenVerifier() = default;

std::shared_ptr<const Jwt> TokenVerifier::cached(const Provider& provider, std::string_view token, uint64_t hash,
                                                 size_t worker) const {
  const Entry& entry = caches_[worker].entries[hash % kCacheEntries];
  if (entry.keyset == 0 || entry.hash != hash || entry.provider != provider.index || entry.token != token) {
    return nullptr;
  }
  const Jwks* keys = currentKeys(provider, worker);
  if (keys == nullptr || keys->id() != entry.keyset) return nullptr;
  return entry.jwt;
}

const Provider* TokenVerifier::chooseByIssuer(const std::vector<const Provider*>& candidates,
                                              const std::optional<std::string>& iss) const {
  if (iss) {
    for (const Provider* provider : candidates) {
      if (provider->issuer == *iss) return provider;
    }
  }
  for (const Provider* provider : candidates) {
    if (provider->issuer.empty()) return provider;
  }
  return nullptr;
}

TokenCheck TokenVerifier::verify(const Provider& provider, std::string_view token,
                                 const std::vector<std::string>* audiences, size_t worker, bool may_wait) const {
  TokenCheck check;
  check.provider = &provider;
  if (worker >= worker_count_) {
    check.status = JwtStatus::kJwksUnavailable;  // a caller bug; never share another worker's cache
    return check;
  }
  if (token.size() > provider.max_token_bytes) {
    check.status = JwtStatus::kTooLarge;
    return check;
  }
  const uint64_t hash = std::hash<std::string_view>{}(token);
  if (auto jwt = cached(provider, token, hash, worker)) {
    check.status = checkClaims(provider, *jwt, audiences);
    if (check.status == JwtStatus::kOk) check.jwt = std::move(jwt);
    return check;
  }
  auto jwt = std::make_shared<Jwt>();
  std::string_view signing_input;
  check.status = parseJwt(token, *jwt, signing_input);
  if (check.status != JwtStatus::kOk) return check;
  if (!provider.issuer.empty() && (!jwt->iss || *jwt->iss != provider.issuer)) {
    check.status = JwtStatus::kUnknownIssuer;
    return check;
  }
  return verifyParsed(provider, token, hash, signing_input, std::move(jwt), audiences, worker, may_wait);
}

TokenCheck TokenVerifier::verifyByIssuer(const std::vector<const Provider*>& candidates, std::string_view token,
                                         size_t worker, bool may_wait) const {
  TokenCheck check;
  size_t max_bytes = 0;
  for (const Provider* provider : candidates) max_bytes = std::max(max_bytes, provider->max_token_bytes);
  if (worker >= worker_count_) {
    check.status = JwtStatus::kJwksUnavailable;
    return check;
  }
  if (token.size() > max_bytes) {
    check.status = JwtStatus::kTooLarge;
    return check;
  }
  const uint64_t hash = std::hash<std::string_view>{}(token);
  const Entry& entry = caches_[worker].entries[hash % kCacheEntries];
  if (entry.keyset != 0 && entry.hash == hash && entry.token == token) {
    const Provider* provider = chooseByIssuer(candidates, entry.jwt->iss);
    if (provider != nullptr) {
      if (auto jwt = cached(*provider, token, hash, worker)) {
        check.provider = provider;
        check.status = checkClaims(*provider, *jwt, nullptr);
        if (check.status == JwtStatus::kOk) check.jwt = std::move(jwt);
        return check;
      }
    }
  }
  auto jwt = std::make_shared<Jwt>();
  std::string_view signing_input;
  check.status = parseJwt(token, *jwt, signing_input);
  if (check.status != JwtStatus::kOk) return check;
  const Provider* provider = chooseByIssuer(candidates, jwt->iss);
  if (provider == nullptr) {
    check.status = JwtStatus::kUnknownIssuer;
    return check;
  }
  if (token.size() > provider->max_token_bytes) {
    check.provider = provider;
    check.status = JwtStatus::kTooLarge;
    return check;
  }
  return verifyParsed(*provider, token, hash, signing_input, std::move(jwt), nullptr, worker, may_wait);
}

TokenCheck TokenVerifier::verifyParsed(const Provider& provider, std::string_view token, uint64_t hash,
                                       std::string_view signing_input, std::shared_ptr<Jwt> jwt,
                                       const std::vector<std::string>* audiences, size_t worker,
                                       bool may_wait) const {
  TokenCheck check;
  check.provider = &provider;
  if (!provider.algorithms.contains(jwt->alg)) {
    check.status = JwtStatus::kBadAlgorithm;
    return check;
  }
  RemoteJwks* remote = provider.remote_jwks.get();
  const Jwks* keys = currentKeys(provider, worker);
  if (keys == nullptr) {
    // No key set yet: wait for the fetch under way, or ask for one (rate-bounded).
    if (remote != nullptr && may_wait && (remote->fetching() || remote->requestRefetch())) {
      check.pending = remote;
    }
    check.status = JwtStatus::kJwksUnavailable;
    return check;
  }
  bool candidate = false;
  bool verified = false;
  for (const Jwk& key : keys->keys()) {
    if (!jwt->kid.empty() && !key.kid.empty() && key.kid != jwt->kid) continue;
    if (!key.canVerify(jwt->alg)) continue;
    candidate = true;
    if (verifySignature(key, jwt->alg, signing_input, jwt->signature)) {
      verified = true;
      break;
    }
  }
  if (!candidate) {
    // A key the set lacks: perhaps the issuer rotated keys since we fetched.
    if (remote != nullptr && may_wait && remote->requestRefetch()) check.pending = remote;
    check.status = JwtStatus::kUnknownKid;
    return check;
  }
  if (!verified) {
    check.status = JwtStatus::kBadSignature;
    return check;
  }
  jwt->signature.clear();  // not needed any more; the cache keeps the rest
  jwt->signature.shrink_to_fit();
  std::shared_ptr<const Jwt> verified_jwt = std::move(jwt);
  Entry& entry = caches_[worker].entries[hash % kCacheEntries];
  entry.hash = hash;
  entry.provider = provider.index;
  entry.keyset = keys->id();
  entry.token.assign(token.data(), token.size());
  entry.jwt = verified_jwt;
  check.status = checkClaims(provider, *verified_jwt, audiences);
  if (check.status == JwtStatus::kOk) check.jwt = std::move(verified_jwt);
  return check;
}

JwtStatus TokenVerifier::checkClaims(const Provider& provider, const Jwt& jwt,
                                     const std::vector<std::string>* audiences) const {
  const int64_t now = clock_();
  if (!jwt.exp && provider.require_expiration) return JwtStatus::kNoExpiration;
  if (jwt.exp && saturatingSub(now, provider.clock_skew_seconds) > *jwt.exp) return JwtStatus::kExpired;
  if (jwt.nbf && saturatingSub(*jwt.nbf, provider.clock_skew_seconds) > now) return JwtStatus::kNotYetValid;
  const std::vector<std::string>& allowed = audiences != nullptr ? *audiences : provider.audiences;
  if (!allowed.empty()) {
    bool match = false;
    for (const std::string& audience : jwt.audiences) {
      for (const std::string& want : allowed) match = match || audience == want;
    }
    if (!match) return JwtStatus::kAudienceNotAllowed;
  }
  for (const auto& path : provider.required_claims) {
    if (findClaim(*jwt.claims, path) == nullptr) return JwtStatus::kMissingClaim;
  }
  if (!jwt.jti.empty() && !revoked_->empty() && revoked_->contains(av(jwt.jti))) return JwtStatus::kRevoked;
  return JwtStatus::kOk;
}

}  // namespace portico::dp::filters::jwt_authn
