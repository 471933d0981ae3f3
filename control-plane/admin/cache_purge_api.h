#pragma once

// The cache purge API on the control plane's admin server (ARCHITECTURE §9):
//   POST /v1/cache/purge   {"route"?: "name", "prefix"?: "/path"}   202 {"purge": {...}, "epoch"}
//                          no field (or no body): everything; route: that route's entries;
//                          prefix: entries whose request path starts with it; both: both
//   GET  /v1/cache/purges  {"epoch", "limit", "purges": [...]}: the recent purges, oldest first
// The purge is recorded in the PurgeLog and reaches the proxies with the next (debounced) push
// of the cache filter's config; 202 because the proxies apply it asynchronously. Bad input gets
// 400 {"error", "message"} naming the field; a route that is neither a configured route nor a
// registered service (whose default route carries its name) gets 404.

#include <functional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "common/http/path_router.h"
#include "control-plane/registry/purge_log.h"

namespace portico::cp::admin {

struct PurgeRequest {
  std::string route;   // empty: any
  std::string prefix;  // empty: any
};

// Parses a POST body strictly: empty, or a JSON object with optional string fields "route" and
// "prefix" (null: absent); anything else is an error. InvalidArgument with "field: problem".
absl::StatusOr<PurgeRequest> purgeFromJson(std::string_view body);

// `route_known(name)`: whether a route of that name can exist (null: every name is accepted).
void addCachePurgeRoutes(http::PathRouter& router, registry::PurgeLog& log,
                         std::function<bool(const std::string&)> route_known);

}  // namespace portico::cp::admin
