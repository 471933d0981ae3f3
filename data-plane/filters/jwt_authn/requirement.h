#pragma once

// A JwtRequirement compiled into a tree, and its evaluation over one request with Envoy's
// semantics (extensions/filters/http/jwt_authn/verifier.cc):
// - provider_name / provider_and_audiences: the provider's tokens (from its own locations);
//   none: "missing". Every token found must verify (a request with one good and one bad token
//   fails: the upstream could not tell which one was checked).
// - requires_all: every child in order; the first failure is the result.
// - requires_any: the children in order until one passes; if none does, the result is the
//   last failure that is neither "missing" nor "unknown issuer", else "unknown issuer" if
//   any child gave it, else "missing". An allow_missing child turns a final "missing" into a
//   pass; allow_missing_or_failed turns any final failure into a pass. Only the other children
//   are evaluated (Envoy drops the allow_* entries from the list), unless there are none.
// - allow_missing / allow_missing_or_failed (alone): the tokens found where any provider looks,
//   each judged by the provider its issuer names (TokenVerifier::verifyByIssuer). allow_missing
//   passes when there is none and fails on any bad one (stricter than Envoy, whose last token
//   decides); allow_missing_or_failed always passes and keeps the tokens that verified.
// - an empty requirement passes without looking.
// What verified tokens add to the request is collected as the evaluation goes and undone for
// a branch that fails, so only the tokens of the branches that passed are applied.
//
// Threading: immutable after compile; evaluate() on workers.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/inlined_vector.h"
#include "absl/status/statusor.h"
#include "data-plane/filters/jwt_authn/extractor.h"
#include "data-plane/filters/jwt_authn/token_verifier.h"

namespace envoy::extensions::filters::http::jwt_authn::v3 {
class JwtRequirement;
}

namespace portico::dp::filters::jwt_authn {

struct RequirementBuilder;

class Requirement {
 public:
  enum class Kind { kAllowAll, kProvider, kAny, kAll, kAllowMissing, kAllowMissingOrFailed };

  using ProviderMap = absl::flat_hash_map<std::string, const Provider*>;
  // `all` is every provider in order (for the allow_* kinds). Errors name the field below `where`.
  static absl::StatusOr<std::unique_ptr<Requirement>> compile(
      const envoy::extensions::filters::http::jwt_authn::v3::JwtRequirement& proto, const ProviderMap& providers,
      const std::vector<const Provider*>& all, const std::string& where);

  Kind kind() const { return kind_; }

  // A verified token and where it came from.
  struct Verified {
    const Provider* provider = nullptr;
    const TokenLocation* location = nullptr;
    std::shared_ptr<const Jwt> jwt;
  };
  // One request's evaluation.
  struct Evaluation {
    const router::Request* request = nullptr;
    std::string_view query;
    const TokenVerifier* verifier = nullptr;
    size_t worker = 0;
    bool may_wait = false;
    absl::InlinedVector<Verified, 2> verified;
    absl::InlinedVector<RemoteJwks*, 1> pending;   // fetches the outcome waits for
    bool incomplete = false;  // allow_missing_or_failed passed over a token it could not judge yet
    // Every token judged (for the metrics, counted once the outcome is final). Provider null:
    // none could be chosen.
    absl::InlinedVector<std::pair<const Provider*, JwtStatus>, 4> outcomes;
    Extracted extracted;  // scratch
  };

  JwtStatus evaluate(Evaluation& evaluation) const;

 private:
  friend struct RequirementBuilder;

  JwtStatus evaluateProvider(Evaluation& evaluation) const;
  JwtStatus evaluateAny(Evaluation& evaluation) const;
  JwtStatus evaluateAllowed(Evaluation& evaluation) const;

  Kind kind_ = Kind::kAllowAll;
  const Provider* provider_ = nullptr;
  std::optional<std::vector<std::string>> audiences_;  // provider_and_audiences
  std::unique_ptr<Extractor> extractor_;               // kProvider, kAllow*
  std::vector<std::unique_ptr<Requirement>> children_;  // kAny, kAll
  bool allow_missing_ = false;            // kAny
  bool allow_missing_or_failed_ = false;  // kAny
};

}  // namespace portico::dp::filters::jwt_authn
