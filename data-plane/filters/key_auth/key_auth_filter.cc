#include "data-plane/filters/key_auth/key_auth_filter.h"

#include <google/protobuf/any.pb.h>

#include "absl/strings/ascii.h"
#include "common/strings.h"
#include "data-plane/http/consumer.h"
#include "data-plane/http/query_params.h"
#include "portico/filters/key_auth/v1/key_auth.pb.h"

namespace portico::dp::filters::key_auth {

namespace {

namespace bhttp = boost::beast::http;

class KeyAuthConfig : public http::FilterRouteConfig {
 public:
  std::string header;  // lower case
  std::string query;
  bool hide_credentials = true;
};

absl::StatusOr<std::shared_ptr<const KeyAuthConfig>> compileConfig(const google::protobuf::Any& any) {
  portico::filters::key_auth::v1::KeyAuth in;
  if (!any.UnpackTo(&in)) {
    return absl::InvalidArgumentError(cat("expected portico.filters.key_auth.v1.KeyAuth, got ", any.type_url()));
  }
  auto out = std::make_shared<KeyAuthConfig>();
  out->header = absl::AsciiStrToLower(in.header().empty() ? "x-api-key" : in.header());
  out->query = in.query();
  out->hide_credentials = in.hide_credentials();
  return out;
}

http::FilterStatus unauthorized(http::FilterState& state, std::string message) {
  state.reply.status = 401;
  state.reply.code = "unauthorized";
  state.reply.message = std::move(message);
  state.reply.headers.emplace_back("www-authenticate", "Key realm=\"portico\"");
  return http::FilterStatus::kLocalReply;
}

class KeyAuthFilter : public http::HttpFilter {
 public:
  KeyAuthFilter(std::shared_ptr<const KeyAuthConfig> defaults, std::shared_ptr<const http::ConsumerTable> consumers)
      : defaults_(std::move(defaults)), consumers_(std::move(consumers)) {}

  http::FilterStatus decodeHeaders(http::FilterState& state, const http::FilterRouteConfig* route) const override {
    const KeyAuthConfig& config = route != nullptr ? static_cast<const KeyAuthConfig&>(*route) : *defaults_;
    router::Request& request = *state.request;
    std::string key;
    bool from_query = false;
    if (auto it = request.find(config.header); it != request.end()) {
      key = std::string(absl::StripAsciiWhitespace(av(it->value())));
    } else if (!config.query.empty()) {
      if (auto value = http::findQueryParam(state.query, config.query)) {
        key = std::move(*value);
        from_query = true;
      }
    }
    if (key.empty()) {
      return unauthorized(state, config.query.empty() ? cat("no API key in header ", config.header)
                                                      : cat("no API key in header ", config.header,
                                                            " or query parameter ", config.query));
    }
    const http::Consumer* consumer = consumers_ != nullptr ? consumers_->byKeyHash(http::sha256(key)) : nullptr;
    if (consumer == nullptr) return unauthorized(state, "invalid API key");
    state.consumer = consumer;
    if (config.hide_credentials) hideKey(state, config, from_query);
    request.set(kConsumerHeader, consumer->name);
    return http::FilterStatus::kContinue;
  }

 private:
  static void hideKey(http::FilterState& state, const KeyAuthConfig& config, bool from_query) {
    router::Request& request = *state.request;
    if (!from_query) {
      request.erase(config.header);
      return;
    }
    const std::string query = http::removeQueryParam(state.query, config.query);
    std::string target(state.request->target().substr(0, state.request->target().find('?')));
    if (!query.empty()) target = cat(target, "?", query);
    request.target(target);
    // path and query pointed into the old target.
    const std::string_view now(request.target().data(), request.target().size());
    const size_t question = now.find('?');
    state.path = now.substr(0, question);
    state.query = question == std::string_view::npos ? std::string_view() : now.substr(question + 1);
  }

  std::shared_ptr<const KeyAuthConfig> defaults_;
  std::shared_ptr<const http::ConsumerTable> consumers_;  // null: no consumers, every key fails
};

class KeyAuthFactory : public http::FilterFactory {
 public:
  absl::StatusOr<http::HttpFilterConstSharedPtr> createFilter(const google::protobuf::Any& config,
                                                              const http::FilterBuildContext& context) const override {
    auto defaults = compileConfig(config);
    if (!defaults.ok()) return defaults.status();
    return std::make_shared<KeyAuthFilter>(std::move(*defaults), context.consumers);
  }

  absl::StatusOr<http::FilterRouteConfigConstSharedPtr> createRouteConfig(
      const google::protobuf::Any& config, const http::FilterBuildContext&) const override {
    auto compiled = compileConfig(config);
    if (!compiled.ok()) return compiled.status();
    return http::FilterRouteConfigConstSharedPtr(std::move(*compiled));
  }
};

}  // namespace

const http::FilterFactory& keyAuthFactory() {
  static const KeyAuthFactory kFactory;
  return kFactory;
}

}  // namespace portico::dp::filters::key_auth
