#include "control-plane/admin/cp_admin.h"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include "absl/time/time.h"
#include "common/logging.h"
#include "common/strings.h"
#include "common/xds/resource_json.h"
#include "control-plane/admin/cache_purge_api.h"
#include "control-plane/admin/revocation_api.h"
#include "control-plane/sources/rest_registry.h"

namespace portico::cp::admin {

namespace json = boost::json;
using portico::xds::ResourceType;

namespace {

std::string_view sectionName(ResourceType type) {
  switch (type) {
    case ResourceType::kCluster:
      return "clusters";
    case ResourceType::kEndpoint:
      return "endpoints";
    case ResourceType::kListener:
      return "listeners";
    case ResourceType::kRoute:
      return "routes";
  }
  return "unknown";
}

std::string formatTime(absl::Time t) {
  if (t == absl::InfinitePast()) {
    return "";
  }
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", t, absl::UTCTimeZone());
}

http::HttpResponse configDump(const xds::SnapshotCache& cache, const http::HttpRequest& request) {
  std::string group = request.queryParam("group");
  if (group.empty()) {
    group = xds::kDefaultGroup;
  }
  xds::SnapshotPtr snapshot = cache.get(group);
  if (!snapshot) {
    return http::jsonError(503, "not_ready", "no snapshot has been built yet");
  }
  json::object body;
  body["group"] = group;
  json::object versions;
  for (ResourceType type : portico::xds::kAllResourceTypes) {
    json::array section;
    for (const auto& [name, resource] : snapshot->resources(type)) {
      json::object entry;
      entry["name"] = name;
      entry["version"] = resource->version;
      entry["wildcard"] = resource->wildcard;
      entry["resource"] = json::parse(portico::xds::anyToJson(resource->body));
      section.push_back(std::move(entry));
    }
    body[sectionName(type)] = std::move(section);
    versions[sectionName(type)] = snapshot->version(type);
  }
  body["versions"] = std::move(versions);
  return http::jsonResponse(json::serialize(body));
}

http::HttpResponse proxyList(const xds::ProxyTracker& tracker) {
  json::array proxies;
  for (const xds::ProxyStatus& status : tracker.list()) {
    json::object entry;
    entry["node_id"] = status.node_id;
    entry["protocol"] = xds::protocolName(status.protocol);
    entry["group"] = status.group;
    entry["peer"] = status.peer;
    entry["identity"] = status.identity;
    entry["user_agent"] = status.user_agent;
    entry["connected_since"] = formatTime(status.connected_since);
    json::object types;
    for (ResourceType type : portico::xds::kAllResourceTypes) {
      const xds::ProxyTypeStatus& t = status.types[portico::xds::typeIndex(type)];
      json::object one;
      one["sent"] = t.sent_version;
      one["acked"] = t.acked_version;
      if (!t.last_nack_message.empty()) {
        one["nacked"] = t.nacked_version;
        one["last_nack"] = t.last_nack_message;
        one["last_nack_at"] = formatTime(t.last_nack_time);
      }
      types[portico::xds::shortName(type)] = std::move(one);
    }
    entry["types"] = std::move(types);
    proxies.push_back(std::move(entry));
  }
  json::object body;
  body["proxies"] = std::move(proxies);
  return http::jsonResponse(json::serialize(body));
}

}  // namespace

void addCpAdminRoutes(http::PathRouter& router, CpAdminDeps deps) {
  sources::addRegistryRoutes(router, deps.store);
  if (deps.revocations != nullptr) {
    addRevocationRoutes(router, *deps.revocations);
  }
  if (deps.purges != nullptr) {
    std::function<bool(const std::string&)> route_known;
    if (deps.configured_route) {
      route_known = [configured = deps.configured_route, &store = deps.store](const std::string& name) {
        return configured(name) || !store.list(name).empty();
      };
    }
    addCachePurgeRoutes(router, *deps.purges, std::move(route_known));
  }
  auto& cache = deps.cache;
  auto& proxies = deps.proxies;
  auto& exposition = deps.exposition;
  router.add("GET", "/v1/config_dump", [&cache](const http::HttpRequest& request, const http::PathParams&) {
    return configDump(cache, request);
  });
  router.add("GET", "/v1/proxies",
             [&proxies](const http::HttpRequest&, const http::PathParams&) { return proxyList(proxies); });
  router.add("GET", "/v1/config/status",
             [status_of = deps.config_status, &cache](const http::HttpRequest&, const http::PathParams&) {
               json::object body;
               const std::optional<sources::ConfigStatus> status = status_of ? status_of() : std::nullopt;
               if (!status) {
                 body["source"] = "built-in default";
                 body["status"] = "ok";
               } else {
                 body["source"] = status->source;
                 body["status"] = status->last_error.empty() ? "ok" : "error";
                 body["version"] = status->version;
                 body["loaded_at"] = formatTime(status->loaded_at);
                 if (!status->last_error.empty()) {
                   json::object error;
                   error["message"] = status->last_error;
                   error["at"] = formatTime(status->last_error_at);
                   body["last_error"] = std::move(error);
                 }
                 json::object counts;
                 counts["accepted"] = status->accepted;
                 counts["rejected"] = status->rejected;
                 body["reloads"] = std::move(counts);
               }
               body["snapshot_built"] = cache.get(xds::kDefaultGroup) != nullptr;
               return http::jsonResponse(json::serialize(body));
             });
  router.add("GET", "/metrics", [&exposition](const http::HttpRequest&, const http::PathParams&) {
    return http::textResponse(exposition.render(), 200, metrics::kExpositionContentType);
  });
  router.add("GET", "/healthz", [](const http::HttpRequest&, const http::PathParams&) {
    return http::jsonResponse("{\"status\":\"ok\"}");
  });
  router.add("GET", "/readyz", [ready = deps.ready](const http::HttpRequest&, const http::PathParams&) {
    if (ready && ready()) {
      return http::jsonResponse("{\"status\":\"ready\"}");
    }
    return http::jsonError(503, "not_ready", "the first snapshot is not built yet");
  });
}

std::set<std::string, std::less<>> openAdminPaths(bool protect_metrics) {
  std::set<std::string, std::less<>> open = {"/healthz", "/readyz"};
  if (!protect_metrics) {
    open.insert("/metrics");
  }
  return open;
}

http::AdminServer::Handler adminHandler(const http::PathRouter& router, const http::BearerAuth* auth,
                                        prometheus::Registry& metrics) {
  if (auth == nullptr) {
    return [&router](const http::HttpRequest& request) { return router.dispatch(request); };
  }
  auto& family = prometheus::BuildCounter()
                      .Name("portico_cp_admin_unauthorized_total")
                      .Help("Admin API requests refused for a missing or wrong bearer token")
                      .Register(metrics);
  prometheus::Counter* missing = &family.Add({{"reason", "missing"}});
  prometheus::Counter* invalid = &family.Add({{"reason", "invalid"}});
  return [&router, auth, missing, invalid](const http::HttpRequest& request) {
    std::optional<http::HttpResponse> refusal = auth->check(request);
    if (!refusal) {
      return router.dispatch(request);
    }
    const bool presented = request.header("authorization") != nullptr;
    (presented ? invalid : missing)->Increment();
    PORTICO_LOG(kDebug, "admin: 401 for ", request.method, " ", request.path, " from ", request.remote_address,
                presented ? " (wrong token)" : " (no token)");
    return *refusal;
  };
}

}  // namespace portico::cp::admin
