#pragma once

// RouteConfiguration → RouteTable, in the context of the listener's HTTP filter chain (a route's
// filters depend on both). Problems are appended to `errors` with their resource and field.
// A route's retry_policy (else its virtual host's) is compiled by retry_policy_compiler.h.

#include <map>
#include <string>
#include <vector>

#include "data-plane/http/filter.h"
#include "data-plane/http/filter_replies.h"
#include "data-plane/router/route_stats.h"
#include "data-plane/router/route_table.h"
#include "envoy/config/route/v3/route.pb.h"

namespace portico::dp::config {

// One entry of the listener's http_filters (the router excepted), as the route compiler needs it.
struct FilterSpec {
  std::string name;
  google::protobuf::Any config;  // the filter-level typed_config
  bool disabled = false;     // off unless a route or virtual host enables it
  bool implemented = false;  // this proxy runs it (factory set)
  bool passive = false;      // carries data for others (consumers, jwt_policy); never blocks
  bool needs_policy = false; // acts only where a per-route/vhost policy exists (cors)
  const http::FilterFactory* factory = nullptr;
  http::HttpFilterConstSharedPtr filter;  // built by compileFilterChain when implemented
  std::shared_ptr<const http::FilterReplies> replies;  // its local answers' counters
};

struct RouteCompileContext {
  const std::map<std::string, int>* clusters = nullptr;  // name → index
  const std::vector<FilterSpec>* filters = nullptr;
  router::RouteStatsStore* stats = nullptr;
  // What per-route filter configs are built with (filter_chain_compiler.h).
  const http::FilterBuildContext* filter_context = nullptr;
};

router::RouteTable compileRouteTable(const envoy::config::route::v3::RouteConfiguration& config,
                                     const RouteCompileContext& context, std::vector<std::string>& errors);

}  // namespace portico::dp::config
