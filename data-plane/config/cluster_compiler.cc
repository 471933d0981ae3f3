#include "data-plane/config/cluster_compiler.h"

#include <algorithm>

#include "common/strings.h"

namespace portico::dp::config {

namespace cluster_v3 = envoy::config::cluster::v3;
namespace core_v3 = envoy::config::core::v3;

namespace {

using Errors = std::vector<std::string>;

absl::Duration toDuration(const google::protobuf::Duration& d) {
  return absl::Seconds(d.seconds()) + absl::Nanoseconds(d.nanos());
}

bool isPrime(uint64_t n) {
  if (n < 2) return false;
  for (uint64_t d = 2; d * d <= n; ++d) {
    if (n % d == 0) return false;
  }
  return true;
}

void checkPercent(double value, const std::string& where, Errors& errors) {
  if (!(value >= 0 && value <= 100)) errors.push_back(cat(where, ": must be within 0-100, got ", value));
}

void compileLb(const cluster_v3::Cluster& in, const std::string& where, upstream::LbConfig& lb,
               Errors& errors) {
  switch (in.lb_policy()) {
    case cluster_v3::Cluster::ROUND_ROBIN: lb.policy = upstream::LbPolicy::kRoundRobin; break;
    case cluster_v3::Cluster::LEAST_REQUEST: lb.policy = upstream::LbPolicy::kLeastRequest; break;
    case cluster_v3::Cluster::RANDOM: lb.policy = upstream::LbPolicy::kRandom; break;
    case cluster_v3::Cluster::RING_HASH: lb.policy = upstream::LbPolicy::kRingHash; break;
    case cluster_v3::Cluster::MAGLEV: lb.policy = upstream::LbPolicy::kMaglev; break;
    default:
      errors.push_back(cat(where, ".lb_policy: ", cluster_v3::Cluster::LbPolicy_Name(in.lb_policy()),
                           " is not supported (ROUND_ROBIN, LEAST_REQUEST, RANDOM, RING_HASH, MAGLEV)"));
  }
  if (in.has_least_request_lb_config() && in.least_request_lb_config().has_choice_count()) {
    lb.choice_count = in.least_request_lb_config().choice_count().value();
    if (lb.choice_count < 2) errors.push_back(cat(where, ".least_request_lb_config.choice_count: must be at least 2"));
  }
  if (in.has_ring_hash_lb_config()) {
    const auto& ring = in.ring_hash_lb_config();
    if (ring.has_minimum_ring_size()) lb.ring_min_size = ring.minimum_ring_size().value();
    if (ring.has_maximum_ring_size()) lb.ring_max_size = ring.maximum_ring_size().value();
    if (lb.ring_min_size < 1 || lb.ring_max_size > 8 * 1024 * 1024 || lb.ring_min_size > lb.ring_max_size) {
      errors.push_back(cat(where, ".ring_hash_lb_config: need 1 <= minimum_ring_size <= maximum_ring_size <= 8388608"));
    }
  }
  if (in.has_maglev_lb_config() && in.maglev_lb_config().has_table_size()) {
    lb.maglev_table_size = in.maglev_lb_config().table_size().value();
    if (!isPrime(lb.maglev_table_size) || lb.maglev_table_size > 5000011) {
      errors.push_back(cat(where, ".maglev_lb_config.table_size: must be a prime <= 5000011, got ",
                           lb.maglev_table_size));
    }
  }
  const auto& common = in.common_lb_config();
  if (common.has_healthy_panic_threshold()) {
    lb.healthy_panic_threshold = common.healthy_panic_threshold().value();
    checkPercent(lb.healthy_panic_threshold, cat(where, ".common_lb_config.healthy_panic_threshold"), errors);
  }
  if (common.has_zone_aware_lb_config()) {
    lb.zone_aware = true;
    const auto& zone = common.zone_aware_lb_config();
    if (zone.has_routing_enabled()) {
      lb.zone_routing_enabled = zone.routing_enabled().value();
      checkPercent(lb.zone_routing_enabled, cat(where, ".common_lb_config.zone_aware_lb_config.routing_enabled"), errors);
    }
    if (zone.has_min_cluster_size()) lb.zone_min_cluster_size = zone.min_cluster_size().value();
  }
}

void compileLimits(const cluster_v3::Cluster& in, const std::string& where,
                   upstream::CircuitBreakerLimits& limits, Errors& errors) {
  for (const auto& t : in.circuit_breakers().thresholds()) {
    if (t.priority() != core_v3::DEFAULT) continue;  // HIGH: no priority routing in Portico
    if (t.has_max_connections()) limits.max_connections = t.max_connections().value();
    if (t.has_max_pending_requests()) limits.max_pending_requests = t.max_pending_requests().value();
    if (t.has_max_requests()) limits.max_requests = t.max_requests().value();
    if (t.has_max_retries()) limits.max_retries = t.max_retries().value();
    if (t.has_retry_budget()) {
      limits.has_retry_budget = true;
      const auto& budget = t.retry_budget();
      if (budget.has_budget_percent()) limits.budget_percent = budget.budget_percent().value();
      if (budget.has_min_retry_concurrency()) limits.min_retry_concurrency = budget.min_retry_concurrency().value();
      checkPercent(limits.budget_percent, cat(where, ".circuit_breakers.thresholds.retry_budget.budget_percent"), errors);
    }
  }
}

void compileOutlier(const cluster_v3::OutlierDetection& in, const std::string& where,
                    upstream::OutlierDetection& out, Errors& errors) {
  if (in.has_consecutive_5xx()) out.consecutive_5xx = in.consecutive_5xx().value();
  if (in.has_consecutive_gateway_failure()) out.consecutive_gateway_failure = in.consecutive_gateway_failure().value();
  if (in.has_interval()) out.interval = toDuration(in.interval());
  if (in.has_base_ejection_time()) out.base_ejection_time = toDuration(in.base_ejection_time());
  if (in.has_max_ejection_time()) out.max_ejection_time = toDuration(in.max_ejection_time());
  if (in.has_max_ejection_percent()) out.max_ejection_percent = in.max_ejection_percent().value();
  if (in.has_enforcing_consecutive_5xx()) out.enforcing_consecutive_5xx = in.enforcing_consecutive_5xx().value();
  if (in.has_enforcing_consecutive_gateway_failure()) {
    out.enforcing_consecutive_gateway_failure = in.enforcing_consecutive_gateway_failure().value();
  }
  checkPercent(out.max_ejection_percent, cat(where, ".max_ejection_percent"), errors);
  checkPercent(out.enforcing_consecutive_5xx, cat(where, ".enforcing_consecutive_5xx"), errors);
  checkPercent(out.enforcing_consecutive_gateway_failure, cat(where, ".enforcing_consecutive_gateway_failure"), errors);
  if (out.interval <= absl::ZeroDuration()) errors.push_back(cat(where, ".interval: must be positive"));
  if (out.base_ejection_time <= absl::ZeroDuration()) errors.push_back(cat(where, ".base_ejection_time: must be positive"));
  if (out.max_ejection_time < out.base_ejection_time) {
    out.max_ejection_time = std::max(out.max_ejection_time, out.base_ejection_time);  // Envoy: max >= base
  }
  // Enforced by default in Envoy (enforcing_success_rate = 100): Portico does not implement
  // them, so a config that would rely on them must say enforcing_* = 0.
  if (!in.has_enforcing_success_rate() || in.enforcing_success_rate().value() != 0) {
    if (in.has_success_rate_minimum_hosts() || in.has_success_rate_request_volume() ||
        in.has_success_rate_stdev_factor()) {
      errors.push_back(cat(where, ": success-rate outlier detection is not supported (set enforcing_success_rate to 0)"));
    }
  }
  if (in.has_failure_percentage_threshold() && in.has_enforcing_failure_percentage() &&
      in.enforcing_failure_percentage().value() != 0) {
    errors.push_back(cat(where, ": failure-percentage outlier detection is not supported"));
  }
}

void compileHealthCheck(const core_v3::HealthCheck& in, const std::string& where,
                        upstream::HealthCheck& out, Errors& errors) {
  if (!in.has_http_health_check()) {
    errors.push_back(cat(where, ": only http_health_check is supported"));
    return;
  }
  const auto& http = in.http_health_check();
  out.path = http.path().empty() ? "/" : http.path();
  if (out.path.front() != '/') errors.push_back(cat(where, ".http_health_check.path: must start with '/'"));
  out.host = http.host();
  for (int i = 0; i < http.expected_statuses_size(); ++i) {
    const auto& range = http.expected_statuses(i);
    if (range.start() < 100 || range.end() > 600 || range.start() >= range.end()) {
      errors.push_back(cat(where, ".http_health_check.expected_statuses[", i,
                           "]: need 100 <= start < end <= 600"));
    }
    out.expected_statuses.emplace_back(range.start(), range.end());
  }
  if (in.has_timeout()) out.timeout = toDuration(in.timeout());
  if (in.has_interval()) out.interval = toDuration(in.interval());
  if (in.has_unhealthy_interval()) out.unhealthy_interval = toDuration(in.unhealthy_interval());
  if (in.has_unhealthy_threshold()) out.unhealthy_threshold = in.unhealthy_threshold().value();
  if (in.has_healthy_threshold()) out.healthy_threshold = in.healthy_threshold().value();
  if (out.timeout <= absl::ZeroDuration()) errors.push_back(cat(where, ".timeout: must be positive"));
  if (out.interval <= absl::ZeroDuration()) errors.push_back(cat(where, ".interval: must be positive"));
  if (out.unhealthy_threshold < 1) errors.push_back(cat(where, ".unhealthy_threshold: must be at least 1"));
  if (out.healthy_threshold < 1) errors.push_back(cat(where, ".healthy_threshold: must be at least 1"));
}

bool adsLike(const core_v3::ConfigSource& source) { return source.has_ads() || source.has_self(); }

}  // namespace

upstream::Cluster compileCluster(const cluster_v3::Cluster& in, int index,
                                 upstream::StateRegistry& registry, Errors& errors) {
  const std::string where = cat("cluster \"", in.name(), "\"");
  upstream::Cluster out;
  out.name = in.name();
  out.index = index;
  out.state = registry.cluster(in.name());
  if (in.has_connect_timeout()) {
    out.connect_timeout = toDuration(in.connect_timeout());
  }
  if (in.cluster_discovery_type_case() != cluster_v3::Cluster::kType ||
      (in.type() != cluster_v3::Cluster::EDS && in.type() != cluster_v3::Cluster::STATIC)) {
    errors.push_back(cat(where, ": type: only EDS and STATIC are supported"));
  } else if (in.type() == cluster_v3::Cluster::EDS && !adsLike(in.eds_cluster_config().eds_config())) {
    errors.push_back(cat(where, ": eds_cluster_config.eds_config: only ads or self is supported"));
  }
  compileLb(in, where, out.lb, errors);
  compileLimits(in, where, out.limits, errors);
  if (in.has_outlier_detection()) {
    compileOutlier(in.outlier_detection(), cat(where, ".outlier_detection"), out.outlier.emplace(), errors);
  }
  if (in.health_checks_size() > 1) {
    errors.push_back(cat(where, ".health_checks: at most one health check is supported"));
  } else if (in.health_checks_size() == 1) {
    compileHealthCheck(in.health_checks(0), cat(where, ".health_checks[0]"), out.health_check.emplace(), errors);
  }
  return out;
}

void assignEndpoints(const envoy::config::endpoint::v3::ClusterLoadAssignment& in, const std::string& where,
                     upstream::Cluster& cluster, upstream::StateRegistry& registry, Errors& errors) {
  cluster.has_assignment = true;
  for (int l = 0; l < in.endpoints_size(); ++l) {
    const auto& locality = in.endpoints(l);
    if (locality.priority() != 0) {
      errors.push_back(cat(where, ": endpoints[", l, "].priority: only priority 0 is supported yet"));
      continue;
    }
    for (int e = 0; e < locality.lb_endpoints_size(); ++e) {
      const auto& lb = locality.lb_endpoints(e);
      const std::string ewhere = cat(where, ": endpoints[", l, "].lb_endpoints[", e, "]");
      if (lb.health_status() == core_v3::UNHEALTHY || lb.health_status() == core_v3::DRAINING ||
          lb.health_status() == core_v3::TIMEOUT) {
        continue;
      }
      const auto& socket = lb.endpoint().address().socket_address();
      boost::system::error_code ec;
      auto address = boost::asio::ip::make_address(socket.address(), ec);
      if (ec) {
        errors.push_back(cat(ewhere, ".endpoint.address: \"", socket.address(), "\" is not an IP literal"));
        continue;
      }
      if (socket.port_value() == 0 || socket.port_value() > 65535) {
        errors.push_back(cat(ewhere, ".endpoint.address.port_value: ", socket.port_value(), " is out of range"));
        continue;
      }
      if (lb.has_load_balancing_weight() && lb.load_balancing_weight().value() == 0) {
        errors.push_back(cat(ewhere, ".load_balancing_weight: must be at least 1"));
        continue;
      }
      upstream::Endpoint endpoint;
      endpoint.address = boost::asio::ip::tcp::endpoint(address, static_cast<uint16_t>(socket.port_value()));
      endpoint.key = address.is_v6() ? cat("[", socket.address(), "]:", socket.port_value())
                                     : cat(socket.address(), ":", socket.port_value());
      endpoint.weight = lb.has_load_balancing_weight() ? lb.load_balancing_weight().value() : 1;
      endpoint.zone = locality.locality().zone();
      endpoint.state = registry.endpoint(cluster.name, endpoint.key);
      endpoint.pool_key = cat(cluster.name, "\n", endpoint.key);
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

}  // namespace portico::dp::config
