#include "data-plane/config/snapshot_compiler.h"

#include <optional>

#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_join.h"
#include "common/strings.h"
#include "common/xds/type_urls.h"
#include "data-plane/config/cluster_compiler.h"
#include "data-plane/config/filter_chain_compiler.h"
#include "data-plane/filters/builtin_filters.h"
#include "data-plane/config/hcm_options_compiler.h"
#include "data-plane/config/http_options_compiler.h"
#include "data-plane/config/route_compiler.h"
#include "data-plane/tls/context_slot.h"
#include "data-plane/upstream/lb/lb_tables.h"
#include "envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.pb.h"
#include "envoy/extensions/transport_sockets/tls/v3/tls.pb.h"

namespace portico::dp::config {

namespace hcm = envoy::extensions::filters::network::http_connection_manager::v3;
namespace cluster_v3 = envoy::config::cluster::v3;
namespace route_v3 = envoy::config::route::v3;
namespace tls_v3 = envoy::extensions::transport_sockets::tls::v3;

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

// Envoy's plaintext transport socket: naming it is the same as naming none.
constexpr std::string_view kRawBufferType =
    "type.googleapis.com/envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer";

// The filter chain's transport socket: none or raw_buffer (plaintext), or Envoy's TLS server
// socket, whose context (certificates read and checked) goes to `tls`. Returns false after
// recording why it is refused.
bool checkTransportSocket(const envoy::config::listener::v3::FilterChain& chain,
                          const std::string& listener_name, const std::string& listener_where,
                          tls::ContextRegistry& tls_contexts,
                          std::shared_ptr<tls::ContextSlot>& tls, Errors& errors) {
  tls.reset();
  if (!chain.has_transport_socket()) return true;
  const envoy::config::core::v3::TransportSocket& socket = chain.transport_socket();
  const std::string where = cat(listener_where, ": filter_chains[0].transport_socket");
  if (!socket.has_typed_config()) {
    errors.add(cat(where, " \"", socket.name(), "\": typed_config is required"));
    return false;
  }
  const std::string& type = socket.typed_config().type_url();
  if (type == kRawBufferType) return true;
  if (type != portico::xds::kDownstreamTlsContextType) {
    errors.add(cat(where, " \"", socket.name(), "\": unsupported transport socket type ", type));
    return false;
  }
  tls_v3::DownstreamTlsContext context;
  if (!socket.typed_config().UnpackTo(&context)) {
    errors.add(cat(where, ".typed_config: cannot decode DownstreamTlsContext"));
    return false;
  }
  std::vector<std::string> tls_errors;
  tls = tls_contexts.slotFor(listener_name, context, cat(where, ".typed_config"), tls_errors);
  for (std::string& error : tls_errors) errors.add(std::move(error));
  return tls != nullptr;
}

// The HTTP filters this proxy knows. Unknown types are refused unless marked is_optional
// (Envoy's rule); known ones this version does not run yet (no factory in
// filters/builtin_filters.cc) make the routes that enable them refuse requests (fail closed,
// see RouteCompileContext).
struct KnownFilter {
  std::string_view type_url;
  bool passive;
  bool needs_policy;
};

const KnownFilter* knownFilter(const std::string& type_url) {
  static const KnownFilter kKnown[] = {
      {"type.googleapis.com/portico.filters.consumers.v1.Consumers", true, false},
      {"type.googleapis.com/portico.filters.jwt_policy.v1.JwtPolicy", true, false},
      {"type.googleapis.com/envoy.extensions.filters.http.cors.v3.Cors", false, true},
      {"type.googleapis.com/portico.filters.request_size_limit.v1.RequestSizeLimit", false, false},
      {"type.googleapis.com/portico.filters.key_auth.v1.KeyAuth", false, false},
      {"type.googleapis.com/envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication", false, false},
      {"type.googleapis.com/portico.filters.ext_auth.v1.ExtAuth", false, false},
      {"type.googleapis.com/portico.filters.authorize.v1.Authorize", false, false},
      {"type.googleapis.com/portico.filters.rate_limit.v1.RateLimit", false, false},
      {"type.googleapis.com/portico.filters.quota.v1.Quota", false, false},
      {"type.googleapis.com/portico.filters.cache.v1.Cache", false, false},
      {"type.googleapis.com/portico.filters.headers.v1.HeaderMutation", false, false},
      {"type.googleapis.com/envoy.extensions.filters.http.grpc_json_transcoder.v3.GrpcJsonTranscoder", false,
       false},
  };
  for (const KnownFilter& filter : kKnown) {
    if (filter.type_url == type_url) return &filter;
  }
  return nullptr;
}

std::vector<FilterSpec> checkHttpFilters(const hcm::HttpConnectionManager& manager, const std::string& where,
                                         Errors& errors) {
  std::vector<FilterSpec> specs;
  if (manager.http_filters_size() == 0) {
    errors.add(cat(where, ".http_filters: empty; the router filter is required"));
    return specs;
  }
  std::set<std::string> names;
  for (int i = 0; i < manager.http_filters_size(); ++i) {
    const auto& filter = manager.http_filters(i);
    const std::string fwhere = cat(where, ".http_filters[", i, "] \"", filter.name(), "\"");
    const bool last = i == manager.http_filters_size() - 1;
    const bool router = filter.typed_config().type_url() == portico::xds::kRouterType;
    if (filter.name().empty() || !names.insert(filter.name()).second) {
      errors.add(cat(fwhere, ": filter names must be present and unique"));
    }
    if (router != last) {
      errors.add(cat(fwhere, ": the router filter must be last and only last"));
      continue;
    }
    if (router) continue;
    const KnownFilter* known = knownFilter(filter.typed_config().type_url());
    if (known == nullptr) {
      if (!filter.is_optional()) {
        errors.add(cat(fwhere, ": unsupported filter type ", filter.typed_config().type_url()));
      }
      continue;  // optional and unknown: skipped, as Envoy does
    }
    FilterSpec spec;
    spec.name = filter.name();
    spec.config = filter.typed_config();
    spec.disabled = filter.disabled();
    spec.passive = known->passive;
    spec.factory = filters::findFilterFactory(filter.typed_config().type_url());
    spec.implemented = spec.factory != nullptr;
    spec.needs_policy = spec.implemented ? spec.factory->needsRouteConfig() : known->needs_policy;
    specs.push_back(std::move(spec));
  }
  return specs;
}

struct PendingListener {
  ListenerConfig config;
  std::string hcm_where;  // "listener \"x\": http_connection_manager", for filter errors
  std::vector<FilterSpec> filters;
  std::optional<route_v3::RouteConfiguration> inline_routes;
};

void compileListeners(const xds::ResourceSet& in, tls::ContextRegistry& tls_contexts,
                      std::vector<PendingListener>& out, Errors& errors) {
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
    std::shared_ptr<tls::ContextSlot> tls;
    if (!checkTransportSocket(listener->filter_chains(0), name, where, tls_contexts, tls, errors)) {
      continue;
    }
    const std::string hcm_where = cat(where, ": http_connection_manager");
    PendingListener pending;
    pending.filters = checkHttpFilters(manager, hcm_where, errors);
    pending.hcm_where = hcm_where;
    ListenerConfig& config = pending.config;
    config.name = name;
    config.address = address;
    config.port = static_cast<uint16_t>(socket.port_value());
    std::vector<std::string> option_errors;
    compileHcmOptions(manager, hcm_where, config, option_errors);
    compileHttpLimits(*listener, where, config.http, option_errors);
    for (std::string& error : option_errors) errors.add(std::move(error));
    config.tls = std::move(tls);
    if (manager.has_rds()) {
      if (!adsLike(manager.rds().config_source())) {
        errors.add(cat(hcm_where, ".rds.config_source: only ads or self is supported"));
      }
      if (manager.rds().route_config_name().empty()) {
        errors.add(cat(hcm_where, ".rds.route_config_name: required"));
      }
      config.route_config = manager.rds().route_config_name();
    } else if (manager.has_route_config()) {
      config.inline_routes = true;
      pending.inline_routes = manager.route_config();
    } else {
      errors.add(cat(hcm_where, ": neither rds nor route_config is set"));
    }
    out.push_back(std::move(pending));
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

absl::StatusOr<SnapshotPtr> compileSnapshot(const xds::ResourceSet& resources, router::RouteStatsStore& stats,
                                            upstream::StateRegistry* registry,
                                            const http::FilterBuildContext* filter_base,
                                            tls::ContextRegistry* tls_contexts) {
  static const http::FilterBuildContext kNoFilterBase;
  upstream::StateRegistry fresh;  // tests and tools: state that lives only with this snapshot
  upstream::StateRegistry& states = registry != nullptr ? *registry : fresh;
  std::optional<tls::ContextRegistry> fresh_tls;
  if (tls_contexts == nullptr) tls_contexts = &fresh_tls.emplace();
  Errors errors;
  std::vector<upstream::Cluster> clusters;
  std::map<std::string, int> cluster_index;
  std::vector<std::string> cluster_errors;
  for (const auto& [name, cluster] : resources.clusters) {
    const int index = static_cast<int>(clusters.size());
    clusters.push_back(compileCluster(*cluster, index, states, cluster_errors));
    cluster_index[name] = index;
    if (cluster->type() == cluster_v3::Cluster::STATIC) {
      assignEndpoints(cluster->load_assignment(), cat("cluster \"", name, "\": load_assignment"),
                      clusters.back(), states, cluster_errors);
    } else if (auto it = resources.endpoints.find(edsServiceName(*cluster)); it != resources.endpoints.end()) {
      assignEndpoints(*it->second, cat("cluster_load_assignment \"", it->first, "\""), clusters.back(),
                      states, cluster_errors);
    }
    // Schedule, ring or Maglev table: reused from an earlier snapshot when its inputs are equal.
    upstream::lb::buildLbTables(clusters.back(), &states.tables());
  }
  for (std::string& error : cluster_errors) errors.add(std::move(error));

  std::vector<PendingListener> pending;
  compileListeners(resources, *tls_contexts, pending, errors);
  std::vector<std::string> route_errors;
  std::vector<ListenerConfig> listeners;
  for (PendingListener& listener : pending) {
    const http::FilterBuildContext filter_context = compileFilterChain(
        listener.filters, filter_base != nullptr ? *filter_base : kNoFilterBase, listener.hcm_where, route_errors);
    RouteCompileContext context{&cluster_index, &listener.filters, &stats, &filter_context};
    if (listener.inline_routes) {
      listener.config.routes =
          std::make_shared<router::RouteTable>(compileRouteTable(*listener.inline_routes, context, route_errors));
    } else if (auto it = resources.routes.find(listener.config.route_config); it != resources.routes.end()) {
      listener.config.routes = std::make_shared<router::RouteTable>(compileRouteTable(*it->second, context, route_errors));
    }
    listeners.push_back(std::move(listener.config));
  }
  // A route configuration nobody references yet is still validated, so a bad one is NACKed.
  static const std::vector<FilterSpec> kNoFilters;
  for (const auto& [name, config] : resources.routes) {
    bool used = false;
    for (const ListenerConfig& listener : listeners) used = used || (!listener.inline_routes && listener.route_config == name);
    if (!used) {
      compileRouteTable(*config, RouteCompileContext{&cluster_index, &kNoFilters, &stats, &kNoFilterBase},
                        route_errors);
    }
  }
  // One listener's routes compile once per listener: report each problem once.
  std::set<std::string> unique(route_errors.begin(), route_errors.end());
  for (const std::string& error : route_errors) {
    if (unique.erase(error) > 0) errors.add(error);
  }
  if (!errors.empty()) {
    return errors.status();
  }
  return std::make_shared<const Snapshot>(std::move(listeners), std::move(clusters), resources);
}

}  // namespace portico::dp::config
