// portico.yaml `services`: upstream clusters and their policies.

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "common/net/address.h"
#include "common/strings.h"
#include "control-plane/model/parser_internal.h"
#include "control-plane/registry/instance_validator.h"

namespace portico::cp::model::internal {
namespace {

constexpr std::string_view kRetryConditions[] = {"connect-failure", "reset", "refused-stream", "5xx",
                                                 "gateway-error", "retriable-4xx"};

bool validRetryCondition(const std::string& condition) {
  for (std::string_view known : kRetryConditions) {
    if (condition == known) return true;
  }
  uint32_t code = 0;
  return condition.size() == 3 && absl::SimpleAtoi(condition, &code) && code >= 100 && code <= 599;
}

std::optional<HashOn> parseHashOn(YamlReader& r, const YAML::Node& node, const std::string& path) {
  if (!r.expectMap(node, path, {"header", "cookie", "client_ip"})) return std::nullopt;
  if (node.size() != 1) {
    r.error(node, path, "give exactly one of header, cookie or client_ip");
    return std::nullopt;
  }
  HashOn out;
  if (auto header = r.string(node, "header", path, false)) {
    out.kind = HashOn::Kind::kHeader;
    out.name = absl::AsciiStrToLower(*header);
  } else if (auto cookie = r.string(node, "cookie", path, false)) {
    out.kind = HashOn::Kind::kCookie;
    out.name = *cookie;
  } else {
    auto on = r.boolean(node, "client_ip", path);
    if (!on || !*on) {
      r.error(node, YamlReader::join(path, "client_ip"), "must be true");
      return std::nullopt;
    }
    out.kind = HashOn::Kind::kClientIp;
  }
  return out;
}

RetryBudgetConfig parseRetryBudget(YamlReader& r, const YAML::Node& node, const std::string& path) {
  RetryBudgetConfig out;
  if (!r.expectMap(node, path, {"percent", "min_concurrency"})) return out;
  if (auto v = r.percent(node, "percent", path)) out.percent = *v;
  if (auto v = r.integer(node, "min_concurrency", path, false, 0, 1 << 30)) out.min_concurrency = *v;
  return out;
}

CircuitBreakerConfig parseCircuitBreaker(YamlReader& r, const YAML::Node& node, const std::string& path) {
  CircuitBreakerConfig out;
  if (!r.expectMap(node, path, {"max_connections", "max_pending", "max_requests", "max_retries", "retry_budget"})) {
    return out;
  }
  constexpr int64_t kMax = 1 << 30;
  if (auto v = r.integer(node, "max_connections", path, false, 1, kMax)) out.max_connections = *v;
  if (auto v = r.integer(node, "max_pending", path, false, 1, kMax)) out.max_pending = *v;
  if (auto v = r.integer(node, "max_requests", path, false, 1, kMax)) out.max_requests = *v;
  if (auto v = r.integer(node, "max_retries", path, false, 0, kMax)) out.max_retries = *v;
  if (node["retry_budget"]) {
    out.retry_budget = parseRetryBudget(r, node["retry_budget"], YamlReader::join(path, "retry_budget"));
    if (node["max_retries"]) {
      // Envoy ignores max_retries when a budget is set: say so rather than keep a dead key.
      r.error(node["max_retries"], YamlReader::join(path, "max_retries"),
              "does not apply with retry_budget (the budget replaces it); give one of them");
    }
  }
  return out;
}

void requirePositive(YamlReader& r, const YAML::Node& node, const std::string& path, std::string_view key,
                     absl::Duration value) {
  if (node[std::string(key)] && value <= absl::ZeroDuration()) {
    r.error(node[std::string(key)], YamlReader::join(path, key), "must be positive");
  }
}

OutlierDetectionConfig parseOutlier(YamlReader& r, const YAML::Node& node, const std::string& path) {
  OutlierDetectionConfig out;
  if (!r.expectMap(node, path, {"consecutive_5xx", "consecutive_gateway_failure", "interval", "base_ejection",
                                "max_ejection_time", "max_ejection_percent"})) {
    return out;
  }
  if (auto v = r.integer(node, "consecutive_5xx", path, false, 0, 1000)) out.consecutive_5xx = *v;
  if (auto v = r.integer(node, "consecutive_gateway_failure", path, false, 0, 1000)) {
    out.consecutive_gateway_failure = *v;
  }
  if (auto v = r.duration(node, "interval", path, false)) out.interval = *v;
  if (auto v = r.duration(node, "base_ejection", path, false)) out.base_ejection = *v;
  if (auto v = r.duration(node, "max_ejection_time", path, false)) out.max_ejection_time = *v;
  if (auto v = r.percent(node, "max_ejection_percent", path)) out.max_ejection_percent = *v;
  requirePositive(r, node, path, "interval", out.interval);
  requirePositive(r, node, path, "base_ejection", out.base_ejection);
  if (out.max_ejection_time && *out.max_ejection_time < out.base_ejection) {
    r.error(node["max_ejection_time"], YamlReader::join(path, "max_ejection_time"),
            "must be at least base_ejection");
  }
  return out;
}

HealthCheckConfig parseHealthCheck(YamlReader& r, const YAML::Node& node, const std::string& path) {
  HealthCheckConfig out;
  if (!r.expectMap(node, path, {"path", "interval", "timeout", "healthy", "unhealthy", "expected_statuses"})) {
    return out;
  }
  if (auto v = r.string(node, "path", path, false)) {
    if (v->empty() || (*v)[0] != '/') {
      r.error(node["path"], YamlReader::join(path, "path"), "must start with \"/\"");
    }
    out.path = *v;
  }
  if (auto v = r.duration(node, "interval", path, false)) out.interval = *v;
  if (auto v = r.duration(node, "timeout", path, false)) out.timeout = *v;
  if (auto v = r.integer(node, "healthy", path, false, 1, 100)) out.healthy = *v;
  if (auto v = r.integer(node, "unhealthy", path, false, 1, 100)) out.unhealthy = *v;
  if (out.timeout > out.interval) {
    r.error(node, path, "timeout must not exceed interval");
  }
  if (auto list = r.stringList(node, "expected_statuses", path, false)) {
    out.expected_statuses.clear();
    for (const std::string& item : *list) {
      uint32_t code = 0;
      if (!absl::SimpleAtoi(item, &code) || code < 100 || code > 599) {
        r.error(node["expected_statuses"], YamlReader::join(path, "expected_statuses"),
                cat("\"", item, "\" is not an HTTP status (100..599)"));
        continue;
      }
      out.expected_statuses.emplace_back(code, code + 1);
    }
  }
  return out;
}

void parseEndpoints(YamlReader& r, const YAML::Node& list, const std::string& path, ServiceConfig& out) {
  if (!r.expectSequence(list, path)) return;
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string where = YamlReader::index(path, i);
    if (!r.expectMap(list[i], where, {"address", "port", "weight", "zone"})) continue;
    StaticEndpoint endpoint;
    if (auto address = r.string(list[i], "address", where, true)) {
      if (!net::isIpLiteral(*address)) {
        r.error(list[i]["address"], YamlReader::join(where, "address"),
                cat("\"", *address, "\" is not an IPv4 or IPv6 literal"));
      }
      endpoint.address = *address;
    }
    if (auto port = r.integer(list[i], "port", where, true, 1, 65535)) endpoint.port = *port;
    if (auto weight = r.integer(list[i], "weight", where, false, 1, registry::kMaxWeight)) endpoint.weight = *weight;
    if (auto zone = r.string(list[i], "zone", where, false)) endpoint.zone = *zone;
    out.endpoints.push_back(std::move(endpoint));
  }
}

LbPolicy lbPolicyOf(const std::string& name) {
  if (name == "least_request") return LbPolicy::kLeastRequest;
  if (name == "random") return LbPolicy::kRandom;
  if (name == "ring_hash") return LbPolicy::kRingHash;
  if (name == "maglev") return LbPolicy::kMaglev;
  return LbPolicy::kRoundRobin;
}

void parseService(YamlReader& r, const YAML::Node& node, const std::string& path, std::set<std::string>& seen,
                  PorticoConfig& config) {
  if (!r.expectMap(node, path, {"name", "protocol", "lb", "hash_on", "connect_timeout", "timeout", "retries",
                                "circuit_breaker", "outlier_detection", "health_check", "panic_threshold",
                                "endpoints"})) {
    return;
  }
  ServiceConfig out;
  if (auto name = r.string(node, "name", path, true)) {
    out.name = *name;
    if (!registry::validateServiceName(*name).ok()) {
      r.error(node["name"], YamlReader::join(path, "name"),
              "must be 1..63 characters of A-Z a-z 0-9 . _ -, starting with a letter or digit");
    } else if (!seen.insert(*name).second) {
      r.error(node["name"], YamlReader::join(path, "name"), cat("duplicate service name \"", *name, "\""));
    }
  }
  if (auto protocol = r.oneOf(node, "protocol", path, {"http", "grpc"}, false)) {
    out.protocol = *protocol == "grpc" ? Protocol::kGrpc : Protocol::kHttp;
  }
  if (auto lb = r.oneOf(node, "lb", path, {"round_robin", "least_request", "random", "ring_hash", "maglev"}, false)) {
    out.lb = lbPolicyOf(*lb);
  }
  if (node["hash_on"]) out.hash_on = parseHashOn(r, node["hash_on"], YamlReader::join(path, "hash_on"));
  if ((out.lb == LbPolicy::kRingHash || out.lb == LbPolicy::kMaglev) && !node["hash_on"]) {
    r.error(node, YamlReader::join(path, "hash_on"), "required when lb is ring_hash or maglev");
  } else if (node["hash_on"] && out.lb != LbPolicy::kRingHash && out.lb != LbPolicy::kMaglev) {
    r.error(node["hash_on"], YamlReader::join(path, "hash_on"), "only applies when lb is ring_hash or maglev");
  }
  if (auto v = r.duration(node, "connect_timeout", path, false)) out.connect_timeout = *v;
  if (auto v = r.duration(node, "timeout", path, false)) out.timeout = *v;
  if (node["retries"]) out.retries = parseRetries(r, node["retries"], YamlReader::join(path, "retries"));
  if (node["circuit_breaker"]) {
    out.circuit_breaker = parseCircuitBreaker(r, node["circuit_breaker"], YamlReader::join(path, "circuit_breaker"));
  }
  if (node["outlier_detection"]) {
    out.outlier_detection = parseOutlier(r, node["outlier_detection"], YamlReader::join(path, "outlier_detection"));
  }
  if (node["health_check"]) {
    out.health_check = parseHealthCheck(r, node["health_check"], YamlReader::join(path, "health_check"));
  }
  if (auto v = r.percent(node, "panic_threshold", path)) out.panic_threshold_percent = *v;
  if (node["endpoints"]) parseEndpoints(r, node["endpoints"], YamlReader::join(path, "endpoints"), out);
  config.services.push_back(std::move(out));
}

}  // namespace

std::optional<RetryConfig> parseRetries(YamlReader& r, const YAML::Node& node, const std::string& path) {
  if (!r.expectMap(node, path, {"attempts", "retry_on", "per_try_timeout", "backoff", "non_idempotent"})) {
    return std::nullopt;
  }
  RetryConfig out;
  if (auto v = r.integer(node, "attempts", path, true, 0, 10)) out.attempts = *v;
  out.retry_on = {"connect-failure", "reset", "gateway-error"};
  if (auto list = r.stringList(node, "retry_on", path, false)) {
    for (const std::string& condition : *list) {
      if (!validRetryCondition(condition)) {
        r.error(node["retry_on"], YamlReader::join(path, "retry_on"),
                cat("\"", condition, "\" is not a retry condition; use connect-failure, reset, refused-stream, "
                                     "5xx, gateway-error, retriable-4xx or a status code"));
      }
    }
    out.retry_on = std::move(*list);
  }
  if (auto v = r.duration(node, "per_try_timeout", path, false)) {
    out.per_try_timeout = *v;
    requirePositive(r, node, path, "per_try_timeout", *v);
  }
  if (const YAML::Node backoff = node["backoff"]) {
    const std::string where = YamlReader::join(path, "backoff");
    if (r.expectMap(backoff, where, {"base", "max"})) {
      if (auto v = r.duration(backoff, "base", where, false)) out.backoff_base = *v;
      // Envoy's default: max is 10 × base.
      out.backoff_max = 10 * out.backoff_base;
      if (auto v = r.duration(backoff, "max", where, false)) out.backoff_max = *v;
      if (out.backoff_base <= absl::ZeroDuration()) r.error(backoff, YamlReader::join(where, "base"), "must be positive");
      if (out.backoff_max < out.backoff_base) r.error(backoff, YamlReader::join(where, "max"), "must be at least base");
    }
  }
  if (auto v = r.boolean(node, "non_idempotent", path)) out.allow_non_idempotent = *v;
  return out;
}

void parseServices(YamlReader& r, const YAML::Node& root, PorticoConfig& out) {
  const YAML::Node list = root["services"];
  if (!list || !r.expectSequence(list, "services")) return;
  std::set<std::string> seen;
  for (size_t i = 0; i < list.size(); ++i) {
    parseService(r, list[i], YamlReader::index("services", i), seen, out);
  }
}

}  // namespace portico::cp::model::internal
