#include "data-plane/filters/request_size_limit/request_size_limit_filter.h"

#include <google/protobuf/any.pb.h>

#include "absl/strings/numbers.h"
#include "common/strings.h"
#include "portico/filters/request_size_limit/v1/request_size_limit.pb.h"

namespace portico::dp::filters::request_size_limit {

namespace {

namespace bhttp = boost::beast::http;

class SizeLimit : public http::FilterRouteConfig {
 public:
  uint64_t max_body_bytes = 0;  // 0: no limit
};

absl::StatusOr<std::shared_ptr<const SizeLimit>> compile(const google::protobuf::Any& any) {
  portico::filters::request_size_limit::v1::RequestSizeLimit in;
  if (!any.UnpackTo(&in)) {
    return absl::InvalidArgumentError(
        cat("expected portico.filters.request_size_limit.v1.RequestSizeLimit, got ", any.type_url()));
  }
  auto out = std::make_shared<SizeLimit>();
  out->max_body_bytes = in.max_body_bytes();
  return std::shared_ptr<const SizeLimit>(out);
}

class RequestSizeLimitFilter : public http::HttpFilter {
 public:
  explicit RequestSizeLimitFilter(std::shared_ptr<const SizeLimit> defaults) : defaults_(std::move(defaults)) {}

  http::FilterStatus decodeHeaders(http::FilterState& state, const http::FilterRouteConfig* route) const override {
    const SizeLimit& limit = route != nullptr ? static_cast<const SizeLimit&>(*route) : *defaults_;
    if (limit.max_body_bytes == 0) return http::FilterStatus::kContinue;
    const router::Request& request = *state.request;
    uint64_t declared = 0;
    if (auto it = request.find(bhttp::field::content_length); it != request.end()) {
      (void)absl::SimpleAtoi(av(it->value()), &declared);  // the decoder already validated it
    }
    const uint64_t size = std::max<uint64_t>(declared, request.body().size());
    if (size <= limit.max_body_bytes) return http::FilterStatus::kContinue;
    state.reply.status = 413;
    state.reply.code = "body_too_large";
    state.reply.message = cat("the request body (", size, " bytes) exceeds this route's limit of ",
                              limit.max_body_bytes, " bytes");
    return http::FilterStatus::kLocalReply;
  }

 private:
  std::shared_ptr<const SizeLimit> defaults_;
};

class RequestSizeLimitFactory : public http::FilterFactory {
 public:
  absl::StatusOr<http::HttpFilterConstSharedPtr> createFilter(const google::protobuf::Any& config,
                                                              const http::FilterBuildContext&) const override {
    auto limit = compile(config);
    if (!limit.ok()) return limit.status();
    return std::make_shared<RequestSizeLimitFilter>(std::move(*limit));
  }

  absl::StatusOr<http::FilterRouteConfigConstSharedPtr> createRouteConfig(
      const google::protobuf::Any& config, const http::FilterBuildContext&) const override {
    auto limit = compile(config);
    if (!limit.ok()) return limit.status();
    return http::FilterRouteConfigConstSharedPtr(std::move(*limit));
  }
};

}  // namespace

const http::FilterFactory& requestSizeLimitFactory() {
  static const RequestSizeLimitFactory kFactory;
  return kFactory;
}

}  // namespace portico::dp::filters::request_size_limit
