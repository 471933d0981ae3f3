#include "data-plane/filters/jwt_authn/jwt_authn_filter.h"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <algorithm>

#include "common/strings.h"
#include "data-plane/filters/jwt_authn/claim_value.h"
#include "data-plane/http/consumer.h"

namespace portico::dp::filters::jwt_authn {

namespace {

constexpr size_t kMaxRealmBytes = 256;  // Envoy's cap on the URI in WWW-Authenticate

// "<scheme>://<host><path>", without the characters a quoted-string could not carry as they are.
std::string realm(const http::FilterState& state) {
  std::string_view host;
  if (auto it = state.request->find(boost::beast::http::field::host); it != state.request->end()) host = it->value();
  std::string out = cat(state.tls ? "https://" : "http://", host, state.path);
  out.erase(std::remove_if(out.begin(), out.end(),
                           [](char c) {
                             const auto byte = static_cast<unsigned char>(c);
                             return c == '"' || c == '\\' || byte < 0x20 || byte >= 0x7f;
                           }),
            out.end());
  if (out.size() > kMaxRealmBytes) out.resize(kMaxRealmBytes);
  return out;
}

}  // namespace

bool JwtAuthnFilter::resolve(http::FilterState& state, const http::FilterRouteConfig* route,
                             const Requirement*& out) const {
  out = nullptr;
  if (const auto* per_route = dynamic_cast<const JwtRouteConfig*>(route)) {
    if (per_route->disabled()) return true;
    out = config_->namedRequirement(per_route->requirementName());
    if (out == nullptr) {
      state.reply.status = 403;
      state.reply.code = "jwt_unknown_requirement";
      state.reply.message = cat("Failed JWT authentication: unknown requirement \"", per_route->requirementName(), "\"");
      return false;
    }
    return true;
  }
  out = config_->requirementForPath(state.path);
  return true;
}

http::FilterStatus JwtAuthnFilter::decodeHeaders(http::FilterState& state, const http::FilterRouteConfig* route) const {
  for (const std::string& header : config_->sanitizedHeaders()) state.request->base().erase(header);
  if (config_->bypassCorsPreflight() && state.cors_preflight) return http::FilterStatus::kContinue;
  const Requirement* requirement = nullptr;
  if (!resolve(state, route, requirement)) return http::FilterStatus::kLocalReply;
  if (requirement == nullptr) return http::FilterStatus::kContinue;

  Requirement::Evaluation evaluation;
  evaluation.request = state.request;
  evaluation.query = state.query;
  evaluation.verifier = &config_->verifier();
  evaluation.worker = state.worker_index;
  evaluation.may_wait = true;
  const JwtStatus status = requirement->evaluate(evaluation);
  if (!evaluation.pending.empty() && (status != JwtStatus::kOk || evaluation.incomplete)) {
    return http::FilterStatus::kAsync;  // keys are on their way: decodeHeadersAsync waits for them
  }
  return finish(state, evaluation, status);
}

net::Awaitable<http::FilterStatus> JwtAuthnFilter::decodeHeadersAsync(http::FilterState& state,
                                                                      const http::FilterRouteConfig* route) const {
  const Requirement* requirement = nullptr;
  if (!resolve(state, route, requirement)) co_return http::FilterStatus::kLocalReply;
  if (requirement == nullptr) co_return http::FilterStatus::kContinue;
  {
    // Which fetches does the outcome wait for (again: one may have ended since decodeHeaders)?
    Requirement::Evaluation first;
    first.request = state.request;
    first.query = state.query;
    first.verifier = &config_->verifier();
    first.worker = state.worker_index;
    first.may_wait = true;
    requirement->evaluate(first);
    std::sort(first.pending.begin(), first.pending.end());
    first.pending.erase(std::unique(first.pending.begin(), first.pending.end()), first.pending.end());
    for (RemoteJwks* remote : first.pending) co_await remote->waitForFetch();
  }
  Requirement::Evaluation evaluation;
  evaluation.request = state.request;
  evaluation.query = state.query;
  evaluation.verifier = &config_->verifier();
  evaluation.worker = state.worker_index;
  evaluation.may_wait = false;  // whatever the keys are now, they decide
  const JwtStatus status = requirement->evaluate(evaluation);
  co_return finish(state, evaluation, status);
}

http::FilterStatus JwtAuthnFilter::finish(http::FilterState& state, Requirement::Evaluation& evaluation,
                                          JwtStatus status) const {
  if (state.worker_index < config_->verifier().workerCount()) {
    for (const auto& [provider, outcome] : evaluation.outcomes) config_->count(provider, outcome, state.worker_index);
  }
  if (status != JwtStatus::kOk) {
    refuse(state, status);
    return http::FilterStatus::kLocalReply;
  }
  applyVerified(state, evaluation);
  return http::FilterStatus::kContinue;
}

void JwtAuthnFilter::applyVerified(http::FilterState& state, const Requirement::Evaluation& evaluation) const {
  router::Request& request = *state.request;
  bool removed_param = false;
  for (const Requirement::Verified& verified : evaluation.verified) {
    const Provider& provider = *verified.provider;
    const Jwt& jwt = *verified.jwt;
    for (const ClaimHeader& mapping : provider.claim_to_headers) {
      const boost::json::value* claim = findClaim(*jwt.claims, mapping.path);
      if (claim == nullptr) continue;
      if (std::optional<std::string> text = claimHeaderValue(*claim)) request.insert(mapping.header, *text);
    }
    if (!provider.forward_payload_header.empty()) request.insert(provider.forward_payload_header, jwt.payload_b64);
    if (!provider.forward) {
      removeToken(request, *verified.location);
      removed_param = removed_param || verified.location->kind == TokenLocation::Kind::kParam;
    }
    if (!state.jwt_claims) {
      state.jwt_claims = jwt.claims;
      state.jwt_provider = provider.name;
    }
    if (!provider.consumer_claim.empty() && config_->consumers() != nullptr) {
      if (const boost::json::value* claim = findClaim(*jwt.claims, provider.consumer_claim);
          claim != nullptr && claim->is_string()) {
        const auto& name = claim->get_string();
        if (const http::Consumer* consumer = config_->consumers()->byName(std::string_view(name.data(), name.size()))) {
          state.consumer = consumer;
        }
      }
    }
  }
  if (removed_param) {
    // The target was rebuilt: point the views at the new one (the path part is unchanged).
    const std::string_view target = request.target();
    const size_t question = target.find('?');
    state.path = target.substr(0, question);
    state.query = question == std::string_view::npos ? std::string_view() : target.substr(question + 1);
  }
}

void JwtAuthnFilter::refuse(http::FilterState& state, JwtStatus status) const {
  state.reply.status = 401;
  state.reply.code = cat("jwt_", statusLabel(status));
  state.reply.message = std::string(statusMessage(status));
  std::string challenge = cat("Bearer realm=\"", realm(state), "\"");
  if (status != JwtStatus::kMissing) challenge += ", error=\"invalid_token\"";
  state.reply.headers.emplace_back("WWW-Authenticate", std::move(challenge));
}

}  // namespace portico::dp::filters::jwt_authn
