#pragma once

// The JWT revocation list (a jti denylist): token ids an operator revoked through
// POST /v1/jwt/revocations (control-plane/admin/revocation_api.h). The translator copies the
// list into the jwt_policy filter config of every group that runs the jwt plugin, and the
// proxies refuse tokens whose `jti` claim is listed.
//
// In memory, like MemoryStore: the list survives config reloads (it is not part of the config)
// but not a control-plane restart (docs/security.md, "Token revocation").
//
// An entry with an expiry is dropped once `expires_at + grace` has passed: from then on the
// token's own `exp` claim refuses it. `grace` covers the verifier's clock-skew allowance (a
// jwt plugin's `clock_skew` accepts a token that long after its exp), so the control plane
// sets it to the largest clock_skew in its config (never less than the default 60 s).
//
// Threading: every method may be called from any thread. The change callback runs on the
// calling thread, after the lock is released.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace portico::cp::registry {

struct RevokedToken {
  std::string jti;
  int64_t expires_at = 0;  // unix seconds; 0: no expiry given (kept until removed)
  absl::Time revoked_at = absl::InfinitePast();  // when it was (last) added; shown by the API
};

// Sorted by jti (the order the translator pushes, for a deterministic version hash).
using RevocationList = std::vector<RevokedToken>;

inline constexpr size_t kMaxRevocations = 10000;
inline constexpr size_t kMaxJtiBytes = 256;
inline constexpr int64_t kMaxExpiresAt = 253402300799;  // 9999-12-31T23:59:59Z
inline constexpr absl::Duration kDefaultRevocationGrace = absl::Seconds(60);

// Checks a token id: 1..kMaxJtiBytes bytes, no control characters. InvalidArgument naming
// the field "jti" otherwise.
absl::Status validateJti(std::string_view jti);

class RevocationStore {
 public:
  using Clock = std::function<absl::Time()>;
  struct Options {
    size_t max_entries = kMaxRevocations;
    absl::Duration grace = kDefaultRevocationGrace;
    Clock clock;  // injectable for tests; default absl::Now
  };
  struct AddResult {
    RevokedToken token;
    bool created = false;  // false: the jti was listed already (its expiry is replaced)
  };

  RevocationStore() : RevocationStore(Options{}) {}
  explicit RevocationStore(Options options);

  // Adds (or replaces) a revocation. InvalidArgument for a bad jti or expires_at (out of
  // range, or already past expires_at + grace: nothing left to deny); ResourceExhausted when the
  // list holds max_entries other entries.
  absl::StatusOr<AddResult> add(const std::string& jti, int64_t expires_at);
  // NotFound when the jti is not listed.
  absl::Status remove(const std::string& jti);
  // Every entry, sorted by jti.
  RevocationList list() const;
  size_t size() const;
  size_t maxEntries() const { return options_.max_entries; }

  // Drops entries whose expires_at + grace is at or before now (the clock); returns how many.
  int expire();
  // The clock-skew allowance (see the file comment). Affects expire() and add() from now on.
  void setGrace(absl::Duration grace);

  // Called after every change (add, remove, expire that removed something). Set once before use.
  void setOnChange(std::function<void()> on_change) { on_change_ = std::move(on_change); }

 private:
  bool expired(const RevokedToken& token, absl::Time now) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void notify() const;

  Options options_;
  std::function<void()> on_change_;
  mutable std::mutex mu_;
  absl::Duration grace_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, RevokedToken, std::less<>> tokens_ ABSL_GUARDED_BY(mu_);
};

}  // namespace portico::cp::registry
