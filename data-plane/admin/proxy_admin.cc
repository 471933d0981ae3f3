#include "data-plane/admin/proxy_admin.h"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "common/xds/resource_json.h"

namespace portico::dp::admin {

namespace json = boost::json;

namespace {

template <typename T>
json::array dumpSection(const xds::ResourceMap<T>& map) {
  json::array out;
  for (const auto& [name, message] : map) {
    json::object entry;
    entry["name"] = name;
    entry["resource"] = json::parse(portico::xds::messageToJson(*message));
    out.push_back(std::move(entry));
  }
  return out;
}

::portico::http::HttpResponse configDump(const config::SnapshotPtr& snapshot, bool connected) {
  json::object body;
  body["xds_connected"] = connected;
  if (!snapshot) {
    body["listeners"] = json::array();
    body["routes"] = json::array();
    body["clusters"] = json::array();
    body["endpoints"] = json::array();
    return ::portico::http::jsonResponse(json::serialize(body));
  }
  const xds::ResourceSet& set = snapshot->resources();
  body["listeners"] = dumpSection(set.listeners);
  body["routes"] = dumpSection(set.routes);
  body["clusters"] = dumpSection(set.clusters);
  body["endpoints"] = dumpSection(set.endpoints);
  json::object versions;
  for (auto type : portico::xds::kAllResourceTypes) {
    versions[portico::xds::shortName(type)] = set.versions[portico::xds::typeIndex(type)];
  }
  body["versions"] = std::move(versions);
  return ::portico::http::jsonResponse(json::serialize(body));
}

::portico::http::HttpResponse clusters(const config::SnapshotPtr& snapshot) {
  json::array out;
  if (snapshot) {
    for (const upstream::Cluster& cluster : snapshot->clusters()) {
      json::object entry;
      entry["name"] = cluster.name;
      entry["has_assignment"] = cluster.has_assignment;
      json::array endpoints;
      for (const upstream::Endpoint& endpoint : cluster.endpoints) {
        json::object e;
        e["address"] = endpoint.key;
        e["weight"] = endpoint.weight;
        e["zone"] = endpoint.zone;
        endpoints.push_back(std::move(e));
      }
      entry["endpoints"] = std::move(endpoints);
      out.push_back(std::move(entry));
    }
  }
  json::object body;
  body["clusters"] = std::move(out);
  return ::portico::http::jsonResponse(json::serialize(body));
}

}  // namespace

void addProxyAdminRoutes(::portico::http::PathRouter& router, ProxyAdminDeps deps) {
  auto& publisher = deps.publisher;
  auto& exposition = deps.exposition;
  router.add("GET", "/ready", [ready = deps.ready, draining = deps.draining](
                                 const ::portico::http::HttpRequest&, const ::portico::http::PathParams&) {
    if (draining()) {
      return ::portico::http::jsonError(503, "draining", "the proxy is shutting down");
    }
    if (ready()) {
      return ::portico::http::jsonResponse("{\"status\":\"ready\"}");
    }
    return ::portico::http::jsonError(503, "not_ready", "no configuration has been applied yet");
  });
  router.add("GET", "/healthz", [](const ::portico::http::HttpRequest&, const ::portico::http::PathParams&) {
    return ::portico::http::jsonResponse("{\"status\":\"ok\"}");
  });
  router.add("GET", "/metrics", [&exposition](const ::portico::http::HttpRequest&, const ::portico::http::PathParams&) {
    return ::portico::http::textResponse(exposition.render(), 200, metrics::kExpositionContentType);
  });
  router.add("GET", "/config_dump",
             [&publisher, connected = deps.xds_connected](const ::portico::http::HttpRequest&, const ::portico::http::PathParams&) {
               return configDump(publisher.current(), connected());
             });
  router.add("GET", "/clusters", [&publisher](const ::portico::http::HttpRequest&, const ::portico::http::PathParams&) {
    return clusters(publisher.current());
  });
}

}  // namespace portico::dp::admin
