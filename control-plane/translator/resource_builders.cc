#include "control-plane/translator/resource_builders.h"

#include <map>

#include "common/xds/type_urls.h"
#include "control-plane/translator/proto_util.h"
#include "envoy/extensions/filters/http/router/v3/router.pb.h"
#include "envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.pb.h"
#include "envoy/extensions/transport_sockets/tls/v3/tls.pb.h"

namespace portico::cp::translator {

namespace core = envoy::config::core::v3;
namespace hcm = envoy::extensions::filters::network::http_connection_manager::v3;

namespace {

constexpr int kConnectTimeoutSeconds = 5;

void setAdsSource(core::ConfigSource* source) {
  source->mutable_ads();
  source->set_resource_api_version(core::V3);
}

hcm::HttpConnectionManager buildHcm(const std::string& stat_prefix, const std::string& route_name) {
  hcm::HttpConnectionManager manager;
  manager.set_stat_prefix(stat_prefix);
  manager.set_codec_type(hcm::HttpConnectionManager::AUTO);
  manager.mutable_rds()->set_route_config_name(route_name);
  setAdsSource(manager.mutable_rds()->mutable_config_source());
  hcm::HttpFilter* router = manager.add_http_filters();
  router->set_name(std::string(portico::xds::kRouterFilterName));
  packDeterministic(envoy::extensions::filters::http::router::v3::Router(), router->mutable_typed_config());
  return manager;
}

}  // namespace

std::string grpcRouteConfigName(const std::string& service) { return "grpc/" + service; }

namespace {

// Each detector Portico offers is enforced at 100%: Envoy's enforcing_consecutive_gateway_failure
// defaults to 0 (detect, never eject), which would make consecutive_gateway_failure a dead key.
// A threshold of 0 switches its detector off (enforcing 0), since Envoy has no "off" threshold.
void applyOutlierDetection(const model::OutlierDetectionConfig& in, envoy::config::cluster::v3::Cluster& cluster) {
  constexpr absl::Duration kEnvoyMaxEjectionTime = absl::Seconds(300);
  auto* out = cluster.mutable_outlier_detection();
  out->mutable_consecutive_5xx()->set_value(in.consecutive_5xx);
  out->mutable_enforcing_consecutive_5xx()->set_value(in.consecutive_5xx > 0 ? 100 : 0);
  out->mutable_consecutive_gateway_failure()->set_value(in.consecutive_gateway_failure);
  out->mutable_enforcing_consecutive_gateway_failure()->set_value(in.consecutive_gateway_failure > 0 ? 100 : 0);
  setDuration(in.interval, out->mutable_interval());
  setDuration(in.base_ejection, out->mutable_base_ejection_time());
  if (in.max_ejection_time) {
    setDuration(*in.max_ejection_time, out->mutable_max_ejection_time());
  } else if (in.base_ejection > kEnvoyMaxEjectionTime) {
    setDuration(in.base_ejection, out->mutable_max_ejection_time());  // Envoy refuses max < base
  }
  out->mutable_max_ejection_percent()->set_value(in.max_ejection_percent);
}

void applyServicePolicies(const model::ServiceConfig& config, envoy::config::cluster::v3::Cluster& cluster) {
  using Cluster = envoy::config::cluster::v3::Cluster;
  setDuration(config.connect_timeout, cluster.mutable_connect_timeout());
  switch (config.lb) {
    case model::LbPolicy::kRoundRobin:
      cluster.set_lb_policy(Cluster::ROUND_ROBIN);
      break;
    case model::LbPolicy::kLeastRequest:
      cluster.set_lb_policy(Cluster::LEAST_REQUEST);
      cluster.mutable_least_request_lb_config()->mutable_choice_count()->set_value(2);
      break;
    case model::LbPolicy::kRandom:
      cluster.set_lb_policy(Cluster::RANDOM);
      break;
    case model::LbPolicy::kRingHash:
      cluster.set_lb_policy(Cluster::RING_HASH);
      cluster.mutable_ring_hash_lb_config()->mutable_minimum_ring_size()->set_value(1024);
      break;
    case model::LbPolicy::kMaglev:
      cluster.set_lb_policy(Cluster::MAGLEV);
      break;
  }
  if (config.protocol == model::Protocol::kGrpc) {
    cluster.mutable_http2_protocol_options();
  }
  if (config.circuit_breaker) {
    auto* t = cluster.mutable_circuit_breakers()->add_thresholds();
    t->mutable_max_connections()->set_value(config.circuit_breaker->max_connections);
    t->mutable_max_pending_requests()->set_value(config.circuit_breaker->max_pending);
    t->mutable_max_requests()->set_value(config.circuit_breaker->max_requests);
    t->mutable_max_retries()->set_value(config.circuit_breaker->max_retries);
    if (const auto& budget = config.circuit_breaker->retry_budget) {
      t->mutable_retry_budget()->mutable_budget_percent()->set_value(budget->percent);
      t->mutable_retry_budget()->mutable_min_retry_concurrency()->set_value(budget->min_concurrency);
    }
  }
  if (config.outlier_detection) applyOutlierDetection(*config.outlier_detection, cluster);
  if (config.health_check) {
    const auto& in = *config.health_check;
    auto* out = cluster.add_health_checks();
    setDuration(in.timeout, out->mutable_timeout());
    setDuration(in.interval, out->mutable_interval());
    out->mutable_healthy_threshold()->set_value(in.healthy);
    out->mutable_unhealthy_threshold()->set_value(in.unhealthy);
    out->mutable_http_health_check()->set_path(in.path);
    for (const auto& [start, end] : in.expected_statuses) {
      auto* range = out->mutable_http_health_check()->add_expected_statuses();
      range->set_start(start);
      range->set_end(end);
    }
  }
  cluster.mutable_common_lb_config()->mutable_healthy_panic_threshold()->set_value(config.panic_threshold_percent);
  if (config.zone_aware) {
    // Present means on; Envoy's defaults (routing_enabled 100%, min_cluster_size 6) apply.
    cluster.mutable_common_lb_config()->mutable_zone_aware_lb_config();
  }
}

envoy::config::cluster::v3::Cluster edsCluster(const std::string& name, const std::string& service) {
  envoy::config::cluster::v3::Cluster cluster;
  cluster.set_name(name);
  cluster.set_type(envoy::config::cluster::v3::Cluster::EDS);
  cluster.set_lb_policy(envoy::config::cluster::v3::Cluster::ROUND_ROBIN);
  cluster.mutable_connect_timeout()->set_seconds(kConnectTimeoutSeconds);
  auto* eds = cluster.mutable_eds_cluster_config();
  eds->set_service_name(service);
  setAdsSource(eds->mutable_eds_config());
  return cluster;
}

}  // namespace

envoy::config::cluster::v3::Cluster buildCluster(const std::string& service, const model::ServiceConfig* config) {
  envoy::config::cluster::v3::Cluster cluster = edsCluster(service, service);
  if (config != nullptr) {
    applyServicePolicies(*config, cluster);
  }
  return cluster;
}

std::string grpcClusterName(const std::string& service) { return "grpc/" + service; }

envoy::config::cluster::v3::Cluster buildGrpcCluster(const std::string& service) {
  return edsCluster(grpcClusterName(service), service);
}

envoy::config::endpoint::v3::ClusterLoadAssignment buildLoadAssignment(
    const std::string& service, const std::vector<registry::Instance>& instances,
    const model::ServiceConfig* config) {
  envoy::config::endpoint::v3::ClusterLoadAssignment assignment;
  assignment.set_cluster_name(service);
  // Static endpoints from config join the registered instances.
  std::vector<registry::Instance> statics;
  if (config != nullptr) {
    for (const model::StaticEndpoint& endpoint : config->endpoints) {
      registry::Instance instance;
      instance.set_address(endpoint.address);
      instance.set_port(endpoint.port);
      instance.set_weight(endpoint.weight);
      instance.set_zone(endpoint.zone);
      statics.push_back(std::move(instance));
    }
  }
  // Zone → instances, in zone order, so the output is deterministic.
  std::map<std::string, std::vector<const registry::Instance*>> by_zone;
  for (const registry::Instance& instance : statics) {
    by_zone[instance.zone()].push_back(&instance);
  }
  for (const registry::Instance& instance : instances) {
    by_zone[instance.zone()].push_back(&instance);
  }
  for (const auto& [zone, members] : by_zone) {
    auto* locality = assignment.add_endpoints();
    locality->mutable_locality()->set_zone(zone);
    uint32_t total_weight = 0;
    for (const registry::Instance* instance : members) {
      auto* lb_endpoint = locality->add_lb_endpoints();
      auto* socket = lb_endpoint->mutable_endpoint()->mutable_address()->mutable_socket_address();
      socket->set_address(instance->address());
      socket->set_port_value(instance->port());
      lb_endpoint->set_health_status(core::HEALTHY);
      lb_endpoint->mutable_load_balancing_weight()->set_value(instance->weight());
      total_weight += instance->weight();
    }
    // gRPC drops localities without a weight; Envoy uses it only with locality-weighted LB.
    locality->mutable_load_balancing_weight()->set_value(total_weight);
  }
  return assignment;
}

namespace {

namespace tls_v3 = envoy::extensions::transport_sockets::tls::v3;

// listeners[].tls as Envoy's server-side TLS context. Certificates travel as file names: the
// proxy reads the PEM files on its own host, so the paths are the proxy's, not the control
// plane's. Several certificates stay in one context, in file order: the handshake picks one by
// the client's SNI (Envoy matches SNI against each certificate's names; the first is the
// fallback), so no per-SNI filter chains are needed.
tls_v3::DownstreamTlsContext buildDownstreamTlsContext(const model::ListenerTls& config) {
  tls_v3::DownstreamTlsContext context;
  tls_v3::CommonTlsContext* common = context.mutable_common_tls_context();
  common->mutable_tls_params()->set_tls_minimum_protocol_version(
      config.min_version == "1.3" ? tls_v3::TlsParameters::TLSv1_3
                                  : tls_v3::TlsParameters::TLSv1_2);
  for (const model::TlsCertificate& certificate : config.certificates) {
    tls_v3::TlsCertificate* out = common->add_tls_certificates();
    out->mutable_certificate_chain()->set_filename(certificate.cert);
    out->mutable_private_key()->set_filename(certificate.key);
  }
  common->add_alpn_protocols("http/1.1");  // the proxy speaks HTTP/1.1 to clients
  if (!config.client_ca.empty()) {
    common->mutable_validation_context()->mutable_trusted_ca()->set_filename(config.client_ca);
    context.mutable_require_client_certificate()->set_value(true);
  }
  return context;
}

}  // namespace

envoy::config::listener::v3::Listener buildListener(const model::ListenerConfig& config,
                                                    const std::vector<hcm::HttpFilter>& http_filters,
                                                    const HcmOptions& hcm_options) {
  envoy::config::listener::v3::Listener listener;
  listener.set_name(config.name);
  auto* socket = listener.mutable_address()->mutable_socket_address();
  socket->set_address(config.address);
  socket->set_port_value(config.port);
  auto* chain = listener.add_filter_chains();
  if (config.tls) {
    core::TransportSocket* transport = chain->mutable_transport_socket();
    transport->set_name(std::string(portico::xds::kTlsTransportSocketName));
    packDeterministic(buildDownstreamTlsContext(*config.tls), transport->mutable_typed_config());
  }
  auto* filter = chain->add_filters();
  filter->set_name(std::string(portico::xds::kHcmFilterName));
  hcm::HttpConnectionManager manager = buildHcm(config.name, config.name);
  if (!http_filters.empty()) {
    manager.clear_http_filters();
    for (const hcm::HttpFilter& http_filter : http_filters) *manager.add_http_filters() = http_filter;
  }
  applyHcmOptions(hcm_options, manager);
  applyListenerHttp(config.http, manager);
  packDeterministic(manager, filter->mutable_typed_config());
  setHttpLimitsMetadata(config.http, listener);
  return listener;
}

envoy::config::listener::v3::Listener buildApiListener(const std::string& service) {
  envoy::config::listener::v3::Listener listener;
  listener.set_name(service);
  packDeterministic(
      buildHcm(service, grpcRouteConfigName(service)), listener.mutable_api_listener()->mutable_api_listener());
  return listener;
}

envoy::config::route::v3::RouteConfiguration buildRouteConfiguration(
    const std::string& name, const std::vector<RouteEntry>& routes) {
  envoy::config::route::v3::RouteConfiguration config;
  config.set_name(name);
  auto* vhost = config.add_virtual_hosts();
  vhost->set_name(name);
  vhost->add_domains("*");
  for (const RouteEntry& entry : routes) {
    auto* route = vhost->add_routes();
    route->set_name(entry.name);
    route->mutable_match()->set_prefix(entry.prefix);
    route->mutable_route()->set_cluster(entry.cluster);
    if (entry.timeout) {
      const int64_t nanos = absl::ToInt64Nanoseconds(*entry.timeout);
      route->mutable_route()->mutable_timeout()->set_seconds(nanos / 1000000000);
      route->mutable_route()->mutable_timeout()->set_nanos(static_cast<int32_t>(nanos % 1000000000));
    }
  }
  return config;
}

envoy::config::route::v3::RouteConfiguration buildGrpcRouteConfiguration(const std::string& service) {
  envoy::config::route::v3::RouteConfiguration config;
  config.set_name(grpcRouteConfigName(service));
  auto* vhost = config.add_virtual_hosts();
  vhost->set_name(service);
  vhost->add_domains("*");
  auto* route = vhost->add_routes();
  route->set_name(service);
  route->mutable_match()->set_prefix("");
  route->mutable_route()->set_cluster(grpcClusterName(service));
  return config;
}

}  // namespace portico::cp::translator
