#include "data-plane/config/snapshot_compiler.h"

#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_join.h"
#include "common/strings.h"
#include "common/xds/type_urls.h"
#include "envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.pb.h"

namespace portico::dp::config {

namespace hcm = envoy::extensions::filters::network::http_connection_manager::v3;
namespace cluster_v3 = envoy::config::cluster::v3;
namespace route_v3 = envoy::config::route::v3;

namespace {

class Errors {
 public:
  void add(std::string error) { errors_.push_back(std::move(error)); }
  bool empty() const { return errors_.empty(); }
  absl::Status status() const {
    return absl::InvalidArgumentError(absl::StrJoin(errors_, "; "));
  }

 private:
  std::vector<std::string> errors_;
};

absl::Duration toDuration(const google::protobuf::Duration& d) {
  return absl::Seconds(d.seconds()) + absl::Nanoseconds(d.nanos());
}

bool adsLike(const envoy::config::core::v3::ConfigSource& source) {
  return source.has_ads() || source.has_self();
}

// Decodes the HCM of a traffic listener's only filter chain; returns false after recording why.
bool decodeHcm(const envoy::config::listener::v3::Listener& listener, const std::string& where,
               hcm::HttpConnectionManager& out, Errors& errors) {
  if (listener.filter_chains_size() != 1) {
    errors.add(cat(where, ": filter_chains: exactly one filter chain is supported, got ",
                   listener.filter_chains_size()));
    return false;
  }
  const auto& chain = listener.filter_chains(0);
  if (chain.has_transport_socket()) {
    errors.add(cat(where, ": filter_chains[0].transport_socket: TLS listeners are not supported yet"));
    return false;
  }
  if (chain.filters_size() != 1 || chain.filters(0).typed_config().type_url() != portico::xds::kHcmType) {
    errors.add(cat(where, ": filter_chains[0].filters: must be exactly one HttpConnectionManager"));
    return false;
  }
  if (!chain.filters(0).typed_config().UnpackTo(&out)) {
    errors.add(cat(where, ": filter_chains[0].filters[0].typed_config: cannot decode HttpConnectionManager"));
    return false;
  }
  return true;
}

void checkHttpFilters(const hcm::HttpConnectionManager& manager, const std::string& where, Errors& errors) {
  if (manager.http_filters_size() == 0) {
    errors.add(cat(where, ".http_filters: empty; the router filter is required"));
    return;
  }
  for (int i = 0; i < manager.http_filters_size(); ++i) {
    const auto& filter = manager.http_filters(i);
    const bool last = i == manager.http_filters_size() - 1;
    const bool router = filter.typed_config().type_url() == portico::xds::kRouterType;
    if (router != last) {
      errors.add(cat(where, ".http_filters[", i, "]: the router filter must be last and only last"));
    } else if (!router && !filter.is_optional()) {
      errors.add(cat(where, ".http_filters[", i, "] \"", filter.name(), "\": unsupported filter type ",
                     filter.typed_config().type_url()));
    }
  }
}

void compileListeners(const xds::ResourceSet& in, std::vector<ListenerConfig>& out,
                      std::map<std::string, route_v3::RouteConfiguration>& inline_routes, Errors& errors) {
  std::set<std::pair<std::string, uint32_t>> bound;
  for (const auto& [name, listener] : in.listeners) {
    const std::string where = cat("listener \"", name, "\"");
    if (listener->has_api_listener()) {
      continue;  // proxyless gRPC clients' listeners are not ours to serve
    }
    if (!listener->address().has_socket_address()) {
      errors.add(cat(where, ": address.socket_address: required"));
      continue;
    }
    const auto& socket = listener->address().socket_address();
    boost::system::error_code ec;
    const auto ip = boost::asio::ip::make_address(socket.address(), ec);
    if (ec) {
      errors.add(cat(where, ": address.socket_address.address: \"", socket.address(), "\" is not an IP literal"));
      continue;
    }
    // Canonical text ("::1", not "0:0:0:0:0:0:0:1"), so one address has one spelling below.
    const std::string address = ip.to_string();
    if (socket.port_value() == 0 || socket.port_value() > 65535) {
      errors.add(cat(where, ": address.socket_address.port_value: ", socket.port_value(),
                     " is out of range (1..65535)"));
      continue;
    }
    if (!bound.insert({address, socket.port_value()}).second) {
      errors.add(cat(where, ": address ", address, ":", socket.port_value(), " is used by another listener"));
      continue;
    }
    hcm::HttpConnectionManager manager;
    if (!decodeHcm(*listener, where, manager, errors)) {
      continue;
    }
    const std::string hcm_where = cat(where, ": http_connection_manager");
    checkHttpFilters(manager, hcm_where, errors);
    ListenerConfig config{name, address, static_cast<uint16_t>(socket.port_value()), ""};
    if (manager.has_rds()) {
      if (!adsLike(manager.rds().config_source())) {
        errors.add(cat(hcm_where, ".rds.config_source: only ads or self is supported"));
      }
      if (manager.rds().route_config_name().empty()) {
        errors.add(cat(hcm_where, ".rds.route_config_name: required"));
      }
      config.route_config = manager.rds().route_config_name();
    } else if (manager.has_route_config()) {
      // Inline routes are kept apart from RDS ones (keyed by listener), so no RDS resource name
      // can shadow them.
      config.route_config = name;
      config.inline_routes = true;
      inline_routes.emplace(name, manager.route_config());
    } else {
      errors.add(cat(hcm_where, ": neither rds nor route_config is set"));
    }
    out.push_back(std::move(config));
  }
}

bool compileRoute(const route_v3::Route& in, const std::string& where, router::Route& out, Errors& errors);

void compileRouteTable(const route_v3::RouteConfiguration& config, const std::map<std::string, int>& clusters,
                       router::RouteStatsStore& stats,
                       std::map<std::string, router::RouteTable, std::less<>>& out, Errors& errors) {
  const std::string where = cat("route_configuration \"", config.name(), "\"");
  if (config.request_headers_to_add_size() > 0 || config.response_headers_to_add_size() > 0) {
    errors.add(cat(where, ": header additions are not supported yet"));
  }
  std::vector<router::VirtualHost> vhosts;
  std::set<std::string> all_domains;
  for (int v = 0; v < config.virtual_hosts_size(); ++v) {
    const auto& in = config.virtual_hosts(v);
    const std::string vwhere = cat(where, ": virtual_hosts[", v, "]");
    router::VirtualHost vhost;
    vhost.name = in.name();
    if (in.request_headers_to_add_size() > 0 || in.response_headers_to_add_size() > 0) {
      errors.add(cat(vwhere, ": header additions are not supported yet"));
    }
    if (in.domains_size() == 0) {
      errors.add(cat(vwhere, ".domains: at least one domain is required"));
    }
    for (const std::string& domain : in.domains()) {
      std::string lower = absl::AsciiStrToLower(domain);
      if (!router::validDomainPattern(lower)) {
        errors.add(cat(vwhere, ".domains: \"", domain, "\" is not a valid domain pattern"));
      } else if (!all_domains.insert(lower).second) {
        errors.add(cat(vwhere, ".domains: \"", domain, "\" appears in more than one virtual host"));
      }
      vhost.domains.push_back(std::move(lower));
    }
    for (int r = 0; r < in.routes_size(); ++r) {
      router::Route route;
      if (compileRoute(in.routes(r), cat(vwhere, ".routes[", r, "]"), route, errors)) {
        auto it = clusters.find(route.cluster);
        route.cluster_index = it == clusters.end() ? -1 : it->second;
        route.stats = stats.get(route.name.empty() ? route.cluster : route.name, route.cluster);
        vhost.routes.push_back(std::move(route));
      }
    }
    vhosts.push_back(std::move(vhost));
  }
  out.emplace(config.name(), router::RouteTable(config.name(), std::move(vhosts)));
}

bool compileRoute(const route_v3::Route& in, const std::string& where, router::Route& out, Errors& errors) {
  const auto& match = in.match();
  out.name = in.name();
  out.case_sensitive = !match.has_case_sensitive() || match.case_sensitive().value();
  switch (match.path_specifier_case()) {
    case route_v3::RouteMatch::kPrefix:
      out.path_match = router::Route::PathMatch::kPrefix;
      out.path = match.prefix();
      break;
    case route_v3::RouteMatch::kPath:
      out.path_match = router::Route::PathMatch::kExact;
      out.path = match.path();
      break;
    case route_v3::RouteMatch::kSafeRegex: {
      re2::RE2::Options options;
      options.set_case_sensitive(out.case_sensitive);
      options.set_log_errors(false);
      auto regex = std::make_shared<re2::RE2>(match.safe_regex().regex(), options);
      if (!regex->ok()) {
        errors.add(cat(where, ".match.safe_regex: invalid RE2 \"", match.safe_regex().regex(), "\": ",
                       regex->error()));
        return false;
      }
      out.path_match = router::Route::PathMatch::kRegex;
      out.regex = std::move(regex);
      break;
    }
    default:
      errors.add(cat(where, ".match: one of prefix, path or safe_regex is required"));
      return false;
  }
  if (match.headers_size() > 0 || match.query_parameters_size() > 0 || match.has_runtime_fraction()) {
    errors.add(cat(where, ".match: header, query parameter and runtime fraction matchers are not supported yet"));
    return false;
  }
  if (in.action_case() != route_v3::Route::kRoute) {
    errors.add(cat(where, ": only a route action (to a cluster) is supported yet"));
    return false;
  }
  const auto& action = in.route();
  if (action.cluster_specifier_case() != route_v3::RouteAction::kCluster || action.cluster().empty()) {
    errors.add(cat(where, ".route: a cluster is required (weighted_clusters and cluster_header are not supported yet)"));
    return false;
  }
  if (!action.prefix_rewrite().empty() || action.has_regex_rewrite() ||
      action.host_rewrite_specifier_case() != route_v3::RouteAction::HOST_REWRITE_SPECIFIER_NOT_SET) {
    errors.add(cat(where, ".route: prefix_rewrite, regex_rewrite and host rewrites are not supported yet"));
    return false;
  }
  if (in.request_headers_to_add_size() > 0 || in.request_headers_to_remove_size() > 0 ||
      in.response_headers_to_add_size() > 0 || in.response_headers_to_remove_size() > 0) {
    errors.add(cat(where, ": header additions and removals are not supported yet"));
    return false;
  }
  out.cluster = action.cluster();
  if (action.has_timeout()) {
    out.timeout = toDuration(action.timeout());
  }
  return true;
}

upstream::Cluster compileCluster(const cluster_v3::Cluster& in, int index, Errors& errors) {
  const std::string where = cat("cluster \"", in.name(), "\"");
  upstream::Cluster out;
  out.name = in.name();
  out.index = index;
  if (in.has_connect_timeout()) {
    out.connect_timeout = toDuration(in.connect_timeout());
  }
  if (in.cluster_discovery_type_case() != cluster_v3::Cluster::kType ||
      (in.type() != cluster_v3::Cluster::EDS && in.type() != cluster_v3::Cluster::STATIC)) {
    errors.add(cat(where, ": type: only EDS and STATIC are supported"));
  } else if (in.type() == cluster_v3::Cluster::EDS && !adsLike(in.eds_cluster_config().eds_config())) {
    errors.add(cat(where, ": eds_cluster_config.eds_config: only ads or self is supported"));
  }
  if (in.lb_policy() != cluster_v3::Cluster::ROUND_ROBIN) {
    errors.add(cat(where, ": lb_policy: only ROUND_ROBIN is supported yet"));
  }
  return out;
}

void assignEndpoints(const envoy::config::endpoint::v3::ClusterLoadAssignment& in, const std::string& where,
                     upstream::Cluster& cluster, Errors& errors) {
  cluster.has_assignment = true;
  for (int l = 0; l < in.endpoints_size(); ++l) {
    const auto& locality = in.endpoints(l);
    if (locality.priority() != 0) {
      errors.add(cat(where, ": endpoints[", l, "].priority: only priority 0 is supported yet"));
      continue;
    }
    for (int e = 0; e < locality.lb_endpoints_size(); ++e) {
      const auto& lb = locality.lb_endpoints(e);
      const std::string ewhere = cat(where, ": endpoints[", l, "].lb_endpoints[", e, "]");
      using envoy::config::core::v3::HealthStatus;
      if (lb.health_status() == envoy::config::core::v3::UNHEALTHY ||
          lb.health_status() == envoy::config::core::v3::DRAINING ||
          lb.health_status() == envoy::config::core::v3::TIMEOUT) {
        continue;
      }
      const auto& socket = lb.endpoint().address().socket_address();
      boost::system::error_code ec;
      auto address = boost::asio::ip::make_address(socket.address(), ec);
      if (ec) {
        errors.add(cat(ewhere, ".endpoint.address: \"", socket.address(), "\" is not an IP literal"));
        continue;
      }
      if (socket.port_value() == 0 || socket.port_value() > 65535) {
        errors.add(cat(ewhere, ".endpoint.address.port_value: ", socket.port_value(), " is out of range"));
        continue;
      }
      if (lb.has_load_balancing_weight() && lb.load_balancing_weight().value() == 0) {
        errors.add(cat(ewhere, ".load_balancing_weight: must be at least 1"));
        continue;
      }
      upstream::Endpoint endpoint;
      endpoint.address = boost::asio::ip::tcp::endpoint(address, static_cast<uint16_t>(socket.port_value()));
      endpoint.key = address.is_v6() ? cat("[", socket.address(), "]:", socket.port_value())
                                     : cat(socket.address(), ":", socket.port_value());
      endpoint.weight = lb.has_load_balancing_weight() ? lb.load_balancing_weight().value() : 1;
      endpoint.zone = locality.locality().zone();
      cluster.endpoints.push_back(std::move(endpoint));
    }
  }
}

// Interleaved weighted order: each round gives every endpoint with weight left one slot, so
// weights {3,1} give A B A A rather than A A A B.
void buildSchedule(upstream::Cluster& cluster) {
  std::vector<uint32_t> left;
  uint64_t total = 0;
  for (const auto& endpoint : cluster.endpoints) {
    left.push_back(std::min<uint32_t>(endpoint.weight, 128));
    total += left.back();
  }
  cluster.schedule.reserve(total);
  while (cluster.schedule.size() < total) {
    for (uint32_t i = 0; i < left.size(); ++i) {
      if (left[i] > 0) {
        --left[i];
        cluster.schedule.push_back(i);
      }
    }
  }
}

}  // namespace

std::string edsServiceName(const cluster_v3::Cluster& cluster) {
  const std::string& service = cluster.eds_cluster_config().service_name();
  return service.empty() ? cluster.name() : service;
}

std::vector<std::string> referencedRouteConfigs(const xds::ResourceSet& resources) {
  std::set<std::string> names;
  for (const auto& [name, listener] : resources.listeners) {
    hcm::HttpConnectionManager manager;
    if (listener->has_api_listener() || listener->filter_chains_size() != 1 ||
        listener->filter_chains(0).filters_size() != 1 ||
        !listener->filter_chains(0).filters(0).typed_config().UnpackTo(&manager)) {
      continue;
    }
    if (manager.has_rds() && !manager.rds().route_config_name().empty()) {
      names.insert(manager.rds().route_config_name());
    }
  }
  return {names.begin(), names.end()};
}

std::vector<std::string> referencedLoadAssignments(const xds::ResourceSet& resources) {
  std::set<std::string> names;
  for (const auto& [name, cluster] : resources.clusters) {
    if (cluster->has_type() && cluster->type() == cluster_v3::Cluster::EDS) {
      names.insert(edsServiceName(*cluster));
    }
  }
  return {names.begin(), names.end()};
}

absl::StatusOr<SnapshotPtr> compileSnapshot(const xds::ResourceSet& resources, router::RouteStatsStore& stats) {
  Errors errors;
  std::vector<upstream::Cluster> clusters;
  std::map<std::string, int> cluster_index;
  for (const auto& [name, cluster] : resources.clusters) {
    const int index = static_cast<int>(clusters.size());
    clusters.push_back(compileCluster(*cluster, index, errors));
    cluster_index[name] = index;
    if (cluster->type() == cluster_v3::Cluster::STATIC) {
      assignEndpoints(cluster->load_assignment(), cat("cluster \"", name, "\": load_assignment"),
                      clusters.back(), errors);
    } else if (auto it = resources.endpoints.find(edsServiceName(*cluster)); it != resources.endpoints.end()) {
      assignEndpoints(*it->second, cat("cluster_load_assignment \"", it->first, "\""), clusters.back(), errors);
    }
    buildSchedule(clusters.back());
  }

  std::vector<ListenerConfig> listeners;
  std::map<std::string, route_v3::RouteConfiguration> inline_routes;
  compileListeners(resources, listeners, inline_routes, errors);

  std::map<std::string, router::RouteTable, std::less<>> tables;
  for (const auto& [name, config] : resources.routes) {
    compileRouteTable(*config, cluster_index, stats, tables, errors);
  }
  std::map<std::string, router::RouteTable, std::less<>> inline_tables;
  for (const auto& [listener_name, config] : inline_routes) {
    compileRouteTable(config, cluster_index, stats, inline_tables, errors);
    // compileRouteTable keys by the config's own name; re-key by listener.
    auto node = inline_tables.extract(config.name());
    if (!node.empty()) {
      node.key() = listener_name;
      inline_tables.insert(std::move(node));
    }
  }
  if (!errors.empty()) {
    return errors.status();
  }
  return std::make_shared<const Snapshot>(std::move(listeners), std::move(tables), std::move(inline_tables),
                                          std::move(clusters), resources);
}

}  // namespace portico::dp::config
