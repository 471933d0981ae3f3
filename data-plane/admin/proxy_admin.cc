#include "data-plane/admin/proxy_admin.h"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <map>

#include "common/xds/resource_json.h"
#include "data-plane/admin/tls_admin.h"
#include "data-plane/admin/dump_types.h"

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

const char* policyName(upstream::LbPolicy policy) {
  switch (policy) {
    case upstream::LbPolicy::kRoundRobin: return "round_robin";
    case upstream::LbPolicy::kLeastRequest: return "least_request";
    case upstream::LbPolicy::kRandom: return "random";
    case upstream::LbPolicy::kRingHash: return "ring_hash";
    case upstream::LbPolicy::kMaglev: return "maglev";
  }
  return "unknown";
}

json::value healthCheckJson(const std::optional<upstream::HealthCheck>& check) {
  if (!check) return nullptr;
  json::object out;
  out["path"] = check->path;
  out["interval_ms"] = absl::ToInt64Milliseconds(check->interval);
  out["timeout_ms"] = absl::ToInt64Milliseconds(check->timeout);
  out["healthy_threshold"] = check->healthy_threshold;
  out["unhealthy_threshold"] = check->unhealthy_threshold;
  return out;
}

using CheckerCounters = std::map<std::pair<std::string, std::string>, upstream::health::HealthChecker::TargetInfo>;

json::object endpointJson(const upstream::Endpoint& endpoint, const std::string& cluster, int64_t now,
                          const CheckerCounters& counters) {
  const upstream::EndpointState& state = *endpoint.state;
  json::object e;
  e["address"] = endpoint.key;
  e["weight"] = endpoint.weight;
  e["zone"] = endpoint.zone;
  e["healthy"] = state.healthy(now);
  e["health_check_failed"] = state.health_check_failed.load(std::memory_order_relaxed);
  e["ejected"] = state.ejected(now);
  e["active_requests"] = state.active_requests.load(std::memory_order_relaxed);
  e["connections"] = state.connections.load(std::memory_order_relaxed);
  if (auto it = counters.find({cluster, endpoint.key}); it != counters.end()) {
    json::object check;
    check["consecutive_passes"] = it->second.passes;
    check["consecutive_failures"] = it->second.failures;
    e["health_check"] = std::move(check);
  }
  return e;
}

::portico::http::HttpResponse clusters(const config::SnapshotPtr& snapshot,
                                       upstream::health::HealthChecker* checker) {
  CheckerCounters counters;
  if (checker != nullptr) {
    for (auto& target : checker->targets()) counters[{target.cluster, target.endpoint}] = target;
  }
  const int64_t now = upstream::EndpointState::nowNs();
  json::array out;
  if (snapshot) {
    for (const upstream::Cluster& cluster : snapshot->clusters()) {
      json::object entry;
      entry["name"] = cluster.name;
      entry["has_assignment"] = cluster.has_assignment;
      entry["lb_policy"] = policyName(cluster.lb.policy);
      entry["healthy_panic_threshold"] = cluster.lb.healthy_panic_threshold;
      entry["zone_aware"] = cluster.lb.zone_aware;
      entry["health_check"] = healthCheckJson(cluster.health_check);
      json::array endpoints;
      uint32_t healthy = 0;
      for (const upstream::Endpoint& endpoint : cluster.endpoints) {
        healthy += endpoint.state->healthy(now) ? 1 : 0;
        endpoints.push_back(endpointJson(endpoint, cluster.name, now, counters));
      }
      entry["healthy_endpoints"] = healthy;
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
  linkDumpTypes();
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
  router.add("GET", "/certs", [&publisher](const ::portico::http::HttpRequest&,
                                           const ::portico::http::PathParams&) {
    return tlsCertificates(publisher.current());
  });
  router.add("GET", "/clusters", [&publisher, checker = deps.health_checker](const ::portico::http::HttpRequest&,
                                                                              const ::portico::http::PathParams&) {
    return clusters(publisher.current(), checker);
  });
}

}  // namespace portico::dp::admin
