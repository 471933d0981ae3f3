#include "data-plane/http/filter.h"

#include <google/protobuf/any.pb.h>

#include "common/strings.h"

namespace portico::dp::http {

void FilterState::reset() {
  request = nullptr;
  path = {};
  query = {};
  client_address = {};
  route_name = {};
  tls = false;
  cors_preflight = false;
  consumer = nullptr;
  jwt_claims.reset();
  jwt_provider.clear();
  reply.status = 0;
  reply.code.clear();
  reply.message.clear();
  reply.headers.clear();
  response_headers.clear();
  decoded = 0;
}

net::Awaitable<FilterStatus> HttpFilter::decodeHeadersAsync(FilterState& state,
                                                            const FilterRouteConfig* config) const {
  (void)config;
  state.reply.status = 500;
  state.reply.code = "internal";
  state.reply.message = "filter asked to wait but cannot";
  co_return FilterStatus::kLocalReply;
}

absl::StatusOr<FilterRouteConfigConstSharedPtr> FilterFactory::createRouteConfig(
    const google::protobuf::Any& config, const FilterBuildContext& context) const {
  (void)context;
  return absl::InvalidArgumentError(
      cat("this filter takes no per-route config (got ", config.type_url(), ")"));
}

}  // namespace portico::dp::http
