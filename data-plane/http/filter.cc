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
  route = nullptr;
  listener = nullptr;
  tls = false;
  cors_preflight = false;
  consumer = nullptr;
  jwt_claims.reset();
  jwt_provider.clear();
  reply.status = 0;
  reply.code.clear();
  reply.message.clear();
  reply.headers.clear();
  reply.response.reset();
  response_headers.clear();
  filter_data.clear();
  decoded = 0;
}

FilterRequestData* FilterState::dataFor(const HttpFilter* filter) const {
  for (const auto& [owner, data] : filter_data) {
    if (owner == filter) return data.get();
  }
  return nullptr;
}

void FilterState::setData(const HttpFilter* filter, std::unique_ptr<FilterRequestData> data) {
  for (auto& [owner, slot] : filter_data) {
    if (owner == filter) {
      slot = std::move(data);
      return;
    }
  }
  filter_data.emplace_back(filter, std::move(data));
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
