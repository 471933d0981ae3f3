#include "data-plane/filters/authorize/authorize_filter.h"

#include <google/protobuf/any.pb.h>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "common/strings.h"
#include "data-plane/http/consumer.h"
#include "portico/filters/authorize/v1/authorize.pb.h"

namespace portico::dp::filters::authorize {

namespace {

namespace json = boost::json;

struct Rule {
  std::vector<std::string> claim_path;  // dotted name, split
  std::vector<std::string> in;
  std::string contains;
  std::string consumer_group;
};

class Policy : public http::FilterRouteConfig {
 public:
  std::vector<Rule> any_of;
  std::vector<Rule> all_of;
};

const json::value* findClaim(const json::object& claims, const std::vector<std::string>& path) {
  const json::object* object = &claims;
  const json::value* value = nullptr;
  for (const std::string& part : path) {
    if (object == nullptr) return nullptr;
    auto it = object->find(part);
    if (it == object->end()) return nullptr;
    value = &it->value();
    object = value->if_object();
  }
  return value;
}

bool oneOf(const json::value& value, const std::vector<std::string>& allowed) {
  auto listed = [&](const json::value& v) {
    const json::string* s = v.if_string();
    return s != nullptr && std::find(allowed.begin(), allowed.end(), std::string_view(*s)) != allowed.end();
  };
  if (const json::array* array = value.if_array()) return std::any_of(array->begin(), array->end(), listed);
  return listed(value);
}

bool holds(const json::value& value, const std::string& wanted) {
  if (const json::array* array = value.if_array()) {
    return std::any_of(array->begin(), array->end(), [&](const json::value& v) {
      return v.is_string() && std::string_view(v.get_string()) == wanted;
    });
  }
  if (const json::string* s = value.if_string()) {
    for (absl::string_view token : absl::StrSplit(absl::string_view(s->data(), s->size()), ' ', absl::SkipEmpty())) {
      if (token == wanted) return true;
    }
  }
  return false;
}

bool ruleHolds(const Rule& rule, const http::FilterState& state) {
  if (!rule.consumer_group.empty()) {
    return state.consumer != nullptr && state.consumer->inGroup(rule.consumer_group);
  }
  if (state.jwt_claims == nullptr) return false;
  const json::value* claim = findClaim(*state.jwt_claims, rule.claim_path);
  if (claim == nullptr) return false;
  if (!rule.in.empty()) return oneOf(*claim, rule.in);
  return holds(*claim, rule.contains);
}

absl::Status compileRules(const google::protobuf::RepeatedPtrField<portico::filters::authorize::v1::Rule>& in,
                          const char* field, std::vector<Rule>& out) {
  for (int i = 0; i < in.size(); ++i) {
    const auto& source = in[i];
    Rule rule;
    const bool by_claim = !source.claim().empty();
    const bool by_group = !source.consumer_group().empty();
    if (by_claim == by_group) {
      return absl::InvalidArgumentError(cat(field, "[", i, "]: exactly one of claim or consumer_group is required"));
    }
    if (by_claim && (source.in().empty() == source.contains().empty())) {
      return absl::InvalidArgumentError(cat(field, "[", i, "]: a claim rule needs exactly one of in or contains"));
    }
    if (by_claim) rule.claim_path = absl::StrSplit(source.claim(), '.');
    rule.in.assign(source.in().begin(), source.in().end());
    rule.contains = source.contains();
    rule.consumer_group = source.consumer_group();
    out.push_back(std::move(rule));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<const Policy>> compilePolicy(const google::protobuf::Any& any) {
  portico::filters::authorize::v1::Authorize in;
  if (!any.UnpackTo(&in)) {
    return absl::InvalidArgumentError(cat("expected portico.filters.authorize.v1.Authorize, got ", any.type_url()));
  }
  auto policy = std::make_shared<Policy>();
  if (absl::Status s = compileRules(in.any_of(), "any_of", policy->any_of); !s.ok()) return s;
  if (absl::Status s = compileRules(in.all_of(), "all_of", policy->all_of); !s.ok()) return s;
  return policy;
}

class AuthorizeFilter : public http::HttpFilter {
 public:
  explicit AuthorizeFilter(std::shared_ptr<const Policy> defaults) : defaults_(std::move(defaults)) {}

  http::FilterStatus decodeHeaders(http::FilterState& state, const http::FilterRouteConfig* route) const override {
    const Policy& policy = route != nullptr ? static_cast<const Policy&>(*route) : *defaults_;
    const auto holds = [&](const Rule& rule) { return ruleHolds(rule, state); };
    const bool any = policy.any_of.empty() || std::any_of(policy.any_of.begin(), policy.any_of.end(), holds);
    const bool all = std::all_of(policy.all_of.begin(), policy.all_of.end(), holds);
    if (any && all) return http::FilterStatus::kContinue;
    state.reply.status = 403;
    state.reply.code = "forbidden";
    state.reply.message = state.jwt_claims == nullptr && state.consumer == nullptr
                              ? "this route requires an authenticated identity"
                              : "the authenticated identity is not allowed on this route";
    return http::FilterStatus::kLocalReply;
  }

 private:
  std::shared_ptr<const Policy> defaults_;
};

class AuthorizeFactory : public http::FilterFactory {
 public:
  absl::StatusOr<http::HttpFilterConstSharedPtr> createFilter(const google::protobuf::Any& config,
                                                              const http::FilterBuildContext&) const override {
    auto policy = compilePolicy(config);
    if (!policy.ok()) return policy.status();
    return std::make_shared<AuthorizeFilter>(std::move(*policy));
  }

  absl::StatusOr<http::FilterRouteConfigConstSharedPtr> createRouteConfig(
      const google::protobuf::Any& config, const http::FilterBuildContext&) const override {
    auto policy = compilePolicy(config);
    if (!policy.ok()) return policy.status();
    return http::FilterRouteConfigConstSharedPtr(std::move(*policy));
  }
};

}  // namespace

const http::FilterFactory& authorizeFactory() {
  static const AuthorizeFactory kFactory;
  return kFactory;
}

}  // namespace portico::dp::filters::authorize
