#include "data-plane/filters/cors/cors_filter.h"

#include <google/protobuf/any.pb.h>

#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "common/strings.h"
#include "data-plane/config/matcher_compiler.h"
#include "envoy/extensions/filters/http/cors/v3/cors.pb.h"

namespace portico::dp::filters::cors {

namespace {

namespace bhttp = boost::beast::http;
namespace cors_v3 = envoy::extensions::filters::http::cors::v3;

class CorsPolicy : public http::FilterRouteConfig {
 public:
  std::vector<router::HeaderMatcher> origins;  // any match allows the origin
  std::string allow_methods;
  std::string allow_headers;
  std::string expose_headers;
  std::string max_age;
  bool allow_credentials = false;

  bool allows(const router::Request& request) const {
    const router::RequestView view{{}, {}, {}, &request.base()};
    for (const router::HeaderMatcher& origin : origins) {
      if (origin.matches(view)) return true;
    }
    return false;
  }
};

void addVaryOrigin(router::Response& response) {
  auto vary = response.find(bhttp::field::vary);
  if (vary == response.end()) {
    response.set(bhttp::field::vary, "Origin");
  } else if (!absl::StrContains(absl::AsciiStrToLower(av(vary->value())), "origin") && vary->value() != "*") {
    response.set(bhttp::field::vary, cat(vary->value(), ", Origin"));
  }
}

class CorsFilter : public http::HttpFilter {
 public:
  http::FilterStatus decodeHeaders(http::FilterState& state, const http::FilterRouteConfig* config) const override {
    const auto* policy = static_cast<const CorsPolicy*>(config);
    if (policy == nullptr || !state.cors_preflight) return http::FilterStatus::kContinue;
    const router::Request& request = *state.request;
    if (!policy->allows(request)) return http::FilterStatus::kContinue;  // not ours to answer
    http::LocalReply& reply = state.reply;
    reply.status = 200;
    reply.headers.emplace_back("access-control-allow-origin", std::string(request[bhttp::field::origin]));
    if (!policy->allow_methods.empty()) reply.headers.emplace_back("access-control-allow-methods", policy->allow_methods);
    if (!policy->allow_headers.empty()) reply.headers.emplace_back("access-control-allow-headers", policy->allow_headers);
    if (!policy->max_age.empty()) reply.headers.emplace_back("access-control-max-age", policy->max_age);
    if (policy->allow_credentials) reply.headers.emplace_back("access-control-allow-credentials", "true");
    reply.headers.emplace_back("vary", "Origin");
    return http::FilterStatus::kLocalReply;
  }

  bool answersCorsPreflight() const override { return true; }

  void encodeHeaders(http::FilterState& state, router::Response& response,
                     const http::FilterRouteConfig* config) const override {
    const auto* policy = static_cast<const CorsPolicy*>(config);
    if (policy == nullptr || state.cors_preflight) return;  // a preflight answer is complete
    const router::Request& request = *state.request;
    if (request.count(bhttp::field::origin) == 0) return;
    addVaryOrigin(response);
    if (!policy->allows(request)) return;
    response.set(bhttp::field::access_control_allow_origin, request[bhttp::field::origin]);
    if (policy->allow_credentials) response.set(bhttp::field::access_control_allow_credentials, "true");
    if (!policy->expose_headers.empty()) {
      response.set(bhttp::field::access_control_expose_headers, policy->expose_headers);
    }
  }
};

class CorsFactory : public http::FilterFactory {
 public:
  absl::StatusOr<http::HttpFilterConstSharedPtr> createFilter(const google::protobuf::Any& config,
                                                              const http::FilterBuildContext&) const override {
    if (!config.Is<cors_v3::Cors>()) {
      return absl::InvalidArgumentError(cat("expected envoy.extensions.filters.http.cors.v3.Cors, got ", config.type_url()));
    }
    return std::make_shared<CorsFilter>();
  }

  absl::StatusOr<http::FilterRouteConfigConstSharedPtr> createRouteConfig(
      const google::protobuf::Any& config, const http::FilterBuildContext&) const override {
    cors_v3::CorsPolicy in;
    if (!config.UnpackTo(&in)) {
      return absl::InvalidArgumentError(cat("expected envoy.extensions.filters.http.cors.v3.CorsPolicy, got ", config.type_url()));
    }
    auto policy = std::make_shared<CorsPolicy>();
    std::vector<std::string> errors;
    for (int i = 0; i < in.allow_origin_string_match_size(); ++i) {
      config::CompiledString compiled;
      if (!config::compileStringMatcher(in.allow_origin_string_match(i), cat("allow_origin_string_match[", i, "]"),
                                        compiled, errors)) {
        continue;
      }
      router::HeaderMatcher origin;
      origin.name = "origin";
      origin.kind = compiled.kind;
      origin.value = std::move(compiled.value);
      origin.regex = std::move(compiled.regex);
      origin.ignore_case = compiled.ignore_case;
      policy->origins.push_back(std::move(origin));
    }
    if (!errors.empty()) return absl::InvalidArgumentError(errors.front());
    int64_t max_age = 0;
    if (!in.max_age().empty() && (!absl::SimpleAtoi(in.max_age(), &max_age) || max_age < 0)) {
      return absl::InvalidArgumentError(cat("max_age: \"", in.max_age(), "\" is not a number of seconds"));
    }
    if (in.has_filter_enabled() && in.filter_enabled().default_value().numerator() == 0) {
      return absl::InvalidArgumentError("filter_enabled: runtime fractions are not supported (Portico has no runtime)");
    }
    policy->allow_methods = in.allow_methods();
    policy->allow_headers = in.allow_headers();
    policy->expose_headers = in.expose_headers();
    policy->max_age = in.max_age();
    policy->allow_credentials = in.has_allow_credentials() && in.allow_credentials().value();
    return policy;
  }

  bool needsRouteConfig() const override { return true; }
};

}  // namespace

const http::FilterFactory& corsFactory() {
  static const CorsFactory kFactory;
  return kFactory;
}

}  // namespace portico::dp::filters::cors
