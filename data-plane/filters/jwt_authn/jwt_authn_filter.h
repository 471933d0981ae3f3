#pragma once

// The jwt_authn HTTP filter (envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication).
//
// Per request, on its worker:
// 1. Clear the request of every header a provider sets from a token (claim_to_headers,
//    forward_payload_header) — always, whatever happens next, so a client can never bring its
//    own x-user-id to the upstream.
// 2. Pick the requirement: the route's PerRouteConfig (disabled, or a requirement_map name —
//    an unknown name is refused with 403, as Envoy does), else the first matching rule; none:
//    nothing is required. CORS preflights pass untouched when bypass_cors_preflight is set.
// 3. Evaluate it (requirement.h). When the outcome depends on a remote key set still being
//    fetched, the filter answers kAsync and decodeHeadersAsync waits for that fetch (bounded by
//    its timeout) and evaluates again.
// 4. Pass: for every token that verified, copy its claims into headers, forward its payload if
//    asked, remove it from the request unless `forward`; the first one becomes
//    FilterState::jwt_claims / jwt_provider, and a consumer_claim naming a known consumer sets
//    FilterState::consumer. Fail: 401 with a JSON body {"error": "jwt_<outcome>", "message"}
//    and `WWW-Authenticate: Bearer realm="<scheme>://<host><path>"` plus `, error="invalid_token"`
//    unless the token was simply missing (Envoy's format, RFC 6750 §3). Unlike Envoy, a token
//    whose audience is not allowed gets 401 too (Envoy answers 403): it is an invalid token for
//    this API, and the client should get another.
// Every token judged is counted in portico_proxy_jwt_verifications_total{provider, outcome}.

#include <memory>
#include <string>

#include "data-plane/filters/jwt_authn/filter_config.h"
#include "data-plane/http/filter.h"

namespace portico::dp::filters::jwt_authn {

// PerRouteConfig, compiled.
class JwtRouteConfig : public http::FilterRouteConfig {
 public:
  JwtRouteConfig(bool disabled, std::string requirement_name)
      : disabled_(disabled), requirement_name_(std::move(requirement_name)) {}
  bool disabled() const { return disabled_; }
  const std::string& requirementName() const { return requirement_name_; }

 private:
  bool disabled_;
  std::string requirement_name_;
};

class JwtAuthnFilter : public http::HttpFilter {
 public:
  explicit JwtAuthnFilter(std::shared_ptr<const JwtAuthnConfig> config) : config_(std::move(config)) {}

  // http::HttpFilter
  http::FilterStatus decodeHeaders(http::FilterState& state, const http::FilterRouteConfig* config) const override;
  net::Awaitable<http::FilterStatus> decodeHeadersAsync(http::FilterState& state,
                                                        const http::FilterRouteConfig* config) const override;

  const JwtAuthnConfig& config() const { return *config_; }

 private:
  // The requirement for this request; null: nothing required. Sets a 403 reply in `state` and
  // returns false when the route names a requirement that does not exist.
  bool resolve(http::FilterState& state, const http::FilterRouteConfig* route, const Requirement*& out) const;
  http::FilterStatus finish(http::FilterState& state, Requirement::Evaluation& evaluation, JwtStatus status) const;
  void applyVerified(http::FilterState& state, const Requirement::Evaluation& evaluation) const;
  void refuse(http::FilterState& state, JwtStatus status) const;

  std::shared_ptr<const JwtAuthnConfig> config_;
};

}  // namespace portico::dp::filters::jwt_authn
