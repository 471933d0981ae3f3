#include "data-plane/filters/jwt_authn/requirement.h"

#include "common/strings.h"
#include "envoy/extensions/filters/http/jwt_authn/v3/config.pb.h"

namespace portico::dp::filters::jwt_authn {

namespace v3 = envoy::extensions::filters::http::jwt_authn::v3;

namespace {

constexpr int kMaxDepth = 8;

const Provider* lookup(const Requirement::ProviderMap& providers, const std::string& name) {
  auto it = providers.find(name);
  return it == providers.end() ? nullptr : it->second;
}

}  // namespace

// Builds the tree; a friend of Requirement.
struct RequirementBuilder {
  static absl::StatusOr<std::unique_ptr<Requirement>> build(const v3::JwtRequirement& proto,
                                                            const Requirement::ProviderMap& providers,
                                                            const std::vector<const Provider*>& all,
                                                            const std::string& where, int depth) {
    if (depth > kMaxDepth) return absl::InvalidArgumentError(cat(where, ": nested deeper than ", kMaxDepth));
    auto node = std::make_unique<Requirement>();
    switch (proto.requires_type_case()) {
      case v3::JwtRequirement::REQUIRES_TYPE_NOT_SET:
        node->kind_ = Requirement::Kind::kAllowAll;
        return node;
      case v3::JwtRequirement::kProviderName:
      case v3::JwtRequirement::kProviderAndAudiences: {
        const bool with_audiences = proto.has_provider_and_audiences();
        const std::string& name =
            with_audiences ? proto.provider_and_audiences().provider_name() : proto.provider_name();
        const Provider* provider = lookup(providers, name);
        if (provider == nullptr) {
          return absl::InvalidArgumentError(cat(where, with_audiences ? ".provider_and_audiences.provider_name" : ".provider_name",
                                                ": no provider \"", name, "\""));
        }
        node->kind_ = Requirement::Kind::kProvider;
        node->provider_ = provider;
        if (with_audiences) {
          node->audiences_.emplace(proto.provider_and_audiences().audiences().begin(),
                                   proto.provider_and_audiences().audiences().end());
        }
        node->extractor_ = std::make_unique<Extractor>(std::vector<const Provider*>{provider});
        return node;
      }
      case v3::JwtRequirement::kRequiresAll:
      case v3::JwtRequirement::kRequiresAny: {
        const bool any = proto.has_requires_any();
        const auto& list = any ? proto.requires_any().requirements() : proto.requires_all().requirements();
        const std::string list_where = cat(where, any ? ".requires_any" : ".requires_all", ".requirements");
        if (list.size() < 2) return absl::InvalidArgumentError(cat(list_where, ": needs at least 2 requirements"));
        node->kind_ = any ? Requirement::Kind::kAny : Requirement::Kind::kAll;
        for (int i = 0; i < list.size(); ++i) {
          if (any && list[i].has_allow_missing()) {
            node->allow_missing_ = true;
            continue;
          }
          if (any && list[i].has_allow_missing_or_failed()) {
            node->allow_missing_or_failed_ = true;
            continue;
          }
          auto child = build(list[i], providers, all, cat(list_where, "[", i, "]"), depth + 1);
          if (!child.ok()) return child.status();
          node->children_.push_back(std::move(*child));
        }
        if (node->children_.empty()) {  // only allow_* entries: it is that requirement alone
          node->kind_ = node->allow_missing_or_failed_ ? Requirement::Kind::kAllowMissingOrFailed
                                                       : Requirement::Kind::kAllowMissing;
          node->extractor_ = std::make_unique<Extractor>(all);
        }
        return node;
      }
      case v3::JwtRequirement::kAllowMissing:
      case v3::JwtRequirement::kAllowMissingOrFailed:
        node->kind_ = proto.has_allow_missing() ? Requirement::Kind::kAllowMissing
                                                : Requirement::Kind::kAllowMissingOrFailed;
        node->extractor_ = std::make_unique<Extractor>(all);
        return node;
    }
    return absl::InvalidArgumentError(cat(where, ": unsupported requirement type ",
                                          static_cast<int>(proto.requires_type_case())));
  }
};

absl::StatusOr<std::unique_ptr<Requirement>> Requirement::compile(const v3::JwtRequirement& proto,
                                                                  const ProviderMap& providers,
                                                                  const std::vector<const Provider*>& all,
                                                                  const std::string& where) {
  return RequirementBuilder::build(proto, providers, all, where, 0);
}

JwtStatus Requirement::evaluate(Evaluation& evaluation) const {
  switch (kind_) {
    case Kind::kAllowAll:
      return JwtStatus::kOk;
    case Kind::kProvider:
      return evaluateProvider(evaluation);
    case Kind::kAll:
      for (const auto& child : children_) {
        const size_t mark = evaluation.verified.size();
        const JwtStatus status = child->evaluate(evaluation);
        if (status != JwtStatus::kOk) {
          evaluation.verified.resize(mark);
          return status;
        }
      }
      return JwtStatus::kOk;
    case Kind::kAny:
      return evaluateAny(evaluation);
    case Kind::kAllowMissing:
    case Kind::kAllowMissingOrFailed:
      return evaluateAllowed(evaluation);
  }
  return JwtStatus::kMalformed;
}

JwtStatus Requirement::evaluateProvider(Evaluation& evaluation) const {
  Extracted& extracted = evaluation.extracted;
  extractor_->extract(*evaluation.request, evaluation.query, extracted);
  if (extracted.too_many) {
    evaluation.outcomes.emplace_back(provider_, JwtStatus::kTooMany);
    return JwtStatus::kTooMany;
  }
  if (extracted.tokens.empty()) {
    evaluation.outcomes.emplace_back(provider_, JwtStatus::kMissing);
    return JwtStatus::kMissing;
  }
  const size_t mark = evaluation.verified.size();
  const std::vector<std::string>* audiences = audiences_ ? &*audiences_ : nullptr;
  for (const ExtractedToken& token : extracted.tokens) {
    TokenCheck check =
        evaluation.verifier->verify(*provider_, token.token, audiences, evaluation.worker, evaluation.may_wait);
    evaluation.outcomes.emplace_back(provider_, check.status);
    if (check.pending != nullptr) evaluation.pending.push_back(check.pending);
    if (check.status != JwtStatus::kOk) {
      evaluation.verified.resize(mark);
      return check.status;
    }
    evaluation.verified.push_back(
        Verified{provider_, &extractor_->locations()[token.location].where, std::move(check.jwt)});
  }
  return JwtStatus::kOk;
}

JwtStatus Requirement::evaluateAny(Evaluation& evaluation) const {
  JwtStatus final_status = JwtStatus::kMissing;
  for (const auto& child : children_) {
    const size_t mark = evaluation.verified.size();
    const JwtStatus status = child->evaluate(evaluation);
    if (status == JwtStatus::kOk) return status;
    evaluation.verified.resize(mark);
    // Prefer a real failure over "unknown issuer", and "unknown issuer" over "missing".
    const bool weak = status == JwtStatus::kMissing || status == JwtStatus::kUnknownIssuer;
    if (!weak || final_status == JwtStatus::kMissing) final_status = status;
  }
  if (allow_missing_or_failed_) return JwtStatus::kOk;
  if (allow_missing_ && final_status == JwtStatus::kMissing) return JwtStatus::kOk;
  return final_status;
}

JwtStatus Requirement::evaluateAllowed(Evaluation& evaluation) const {
  Extracted& extracted = evaluation.extracted;
  extractor_->extract(*evaluation.request, evaluation.query, extracted);
  const bool lenient = kind_ == Kind::kAllowMissingOrFailed;
  if (extracted.too_many) {
    evaluation.outcomes.emplace_back(nullptr, JwtStatus::kTooMany);
    return lenient ? JwtStatus::kOk : JwtStatus::kTooMany;
  }
  const size_t mark = evaluation.verified.size();
  for (const ExtractedToken& token : extracted.tokens) {
    const Extractor::Location& location = extractor_->locations()[token.location];
    TokenCheck check =
        evaluation.verifier->verifyByIssuer(location.providers, token.token, evaluation.worker, evaluation.may_wait);
    evaluation.outcomes.emplace_back(check.provider, check.status);
    if (check.pending != nullptr) {
      evaluation.pending.push_back(check.pending);
      if (lenient) evaluation.incomplete = true;
    }
    if (check.status == JwtStatus::kOk) {
      evaluation.verified.push_back(Verified{check.provider, &location.where, std::move(check.jwt)});
    } else if (!lenient) {
      evaluation.verified.resize(mark);
      return check.status;
    }
  }
  return JwtStatus::kOk;
}

}  // namespace portico::dp::filters::jwt_authn
