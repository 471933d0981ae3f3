#pragma once

// The operator's declarative configuration (portico.yaml), validated. A plain value: the
// translator turns it, with the registry, into xDS snapshots. docs/config.md is the reference;
// every field here is documented there with its default.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "control-plane/model/plugin_config.h"

namespace portico::cp::model {

struct TlsCertificate {
  std::string cert;  // PEM file paths
  std::string key;
};

struct ListenerTls {
  std::vector<TlsCertificate> certificates;  // several → chosen by SNI
  std::string min_version = "1.2";           // "1.2" | "1.3"
  std::string client_ca;                     // optional: verify client certificates
};

// listeners[].http: HTTP/1.1 hardening of the downstream side (docs/http-hardening.md).
struct ListenerHttpConfig {
  enum class EscapedSlashes { kKeep, kReject, kUnescape };
  uint32_t max_header_count = 100;                 // more header fields → 431
  uint64_t max_header_size = 64 << 10;             // whole head → 431; a whole number of KB
  uint64_t max_request_line = 16 << 10;            // longer request line → 414
  uint64_t max_body = 16 << 20;                    // larger body → 413
  absl::Duration header_timeout = absl::Seconds(30);  // whole head by then → else 408
  absl::Duration idle_timeout = absl::Seconds(60);    // kept-alive connection without a request
  bool normalize_path = true;
  bool merge_slashes = true;
  EscapedSlashes escaped_slashes = EscapedSlashes::kKeep;
  uint32_t xff_trusted_hops = 0;
  std::string via;  // empty: no Via header
};

struct ListenerConfig {
  std::string name;
  std::string address = "0.0.0.0";
  uint32_t port = 0;
  std::optional<ListenerTls> tls;
  ListenerHttpConfig http;
};

struct RequestIdConfig {
  std::string header = "x-request-id";
  bool response = true;  // echo it on responses
};

struct AccessLogConfig {
  bool enabled = false;
  std::string format = "json";  // only json
  std::string path = "stdout";  // "stdout" | "stderr" | a file path
};

// ---- services ---------------------------------------------------------------------------------

enum class LbPolicy { kRoundRobin, kLeastRequest, kRandom, kRingHash, kMaglev };
enum class Protocol { kHttp, kGrpc };

struct HashOn {
  enum class Kind { kHeader, kCookie, kClientIp };
  Kind kind = Kind::kClientIp;
  std::string name;  // header or cookie name
};

struct RetryConfig {
  uint32_t attempts = 0;  // retries after the first try (Kong's and Envoy's meaning)
  // Envoy retry_on conditions: connect-failure, reset, refused-stream, retriable-4xx, 5xx,
  // gateway-error, and explicit status codes ("502", "503", ...).
  std::vector<std::string> retry_on;
  std::optional<absl::Duration> per_try_timeout;
  absl::Duration backoff_base = absl::Milliseconds(25);
  absl::Duration backoff_max = absl::Milliseconds(250);
  bool allow_non_idempotent = false;  // retry POST/PATCH too
};

// Envoy's retry budget: concurrent retries may be `percent` of the requests in flight (active
// and pending), and at least `min_concurrency`. Replaces max_retries.
struct RetryBudgetConfig {
  uint32_t percent = 20;
  uint32_t min_concurrency = 3;
};

struct CircuitBreakerConfig {
  uint32_t max_connections = 1024;
  uint32_t max_pending = 1024;
  uint32_t max_requests = 1024;
  uint32_t max_retries = 3;
  std::optional<RetryBudgetConfig> retry_budget;
};

struct OutlierDetectionConfig {
  uint32_t consecutive_5xx = 5;              // 0: this detector is off
  uint32_t consecutive_gateway_failure = 5;  // 0: this detector is off
  absl::Duration interval = absl::Seconds(10);
  absl::Duration base_ejection = absl::Seconds(30);
  // Unset: Envoy's 300 s (or base_ejection when that is longer).
  std::optional<absl::Duration> max_ejection_time;
  uint32_t max_ejection_percent = 10;
};

struct HealthCheckConfig {
  std::string path = "/health";
  absl::Duration interval = absl::Seconds(5);
  absl::Duration timeout = absl::Seconds(1);
  uint32_t healthy = 2;
  uint32_t unhealthy = 3;
  std::vector<std::pair<uint32_t, uint32_t>> expected_statuses = {{200, 400}};  // [start, end)
};

struct StaticEndpoint {
  std::string address;  // IP literal
  uint32_t port = 0;
  uint32_t weight = 1;
  std::string zone;
};

struct ServiceConfig {
  std::string name;
  Protocol protocol = Protocol::kHttp;
  LbPolicy lb = LbPolicy::kRoundRobin;
  std::optional<HashOn> hash_on;  // ring_hash / maglev
  absl::Duration connect_timeout = absl::Seconds(5);
  std::optional<absl::Duration> timeout;  // default route timeout for routes to this service
  std::optional<RetryConfig> retries;
  std::optional<CircuitBreakerConfig> circuit_breaker;
  std::optional<OutlierDetectionConfig> outlier_detection;
  std::optional<HealthCheckConfig> health_check;
  uint32_t panic_threshold_percent = 50;  // 0 disables
  // Prefer endpoints in the proxy's own zone (Envoy's zone_aware_lb_config; proxies give their
  // zone with --zone). Not with ring_hash / maglev.
  bool zone_aware = false;
  std::vector<StaticEndpoint> endpoints;
};

// ---- routes -----------------------------------------------------------------------------------

struct HeaderMatchConfig {
  std::string name;              // lower-cased
  std::vector<std::string> values;  // any of them (exact); empty: present
};

struct QueryMatchConfig {
  std::string name;
  std::vector<std::string> values;  // any of them; empty: present
};

struct RouteMatchConfig {
  std::vector<std::string> hosts;  // exact or "*.suffix"; empty: any host
  enum class PathKind { kPrefix, kExact, kRegex, kTemplate };
  PathKind path_kind = PathKind::kPrefix;
  std::vector<std::string> paths;  // prefixes (any), or one exact path / regex / template
  std::vector<std::string> methods;  // upper case; empty: any
  std::vector<HeaderMatchConfig> headers;
  std::vector<QueryMatchConfig> query;
  bool case_sensitive = true;
};

struct WeightedTarget {
  std::string service;
  uint32_t weight = 0;
};

struct RewriteConfig {
  std::optional<std::string> prefix;  // replaces the matched prefix
  std::optional<std::string> regex;   // RE2 over the whole path…
  std::string substitution;           // …replaced by this (\1 for groups)
  std::optional<std::string> host;    // Host header sent upstream
};

struct DirectResponseConfig {
  uint32_t status = 200;
  std::string content_type = "text/plain";
  std::string body;
};

struct RedirectConfig {
  uint32_t status = 301;  // 301 | 302 | 303 | 307 | 308
  std::optional<std::string> scheme;
  std::optional<std::string> host;
  std::optional<std::string> path;
};

struct RouteConfig {
  std::string name;
  RouteMatchConfig match;
  // Exactly one action: a service, a weighted split, a direct response or a redirect.
  std::string service;
  std::vector<WeightedTarget> split;
  std::optional<DirectResponseConfig> direct_response;
  std::optional<RedirectConfig> redirect;
  bool strip_prefix = false;
  std::optional<RewriteConfig> rewrite;
  // Whole-exchange timeout at the proxy (504 when it passes); unset: the service's timeout, else
  // the proxy's default (15 s). "0s" disables it.
  std::optional<absl::Duration> timeout;
  std::optional<RetryConfig> retries;  // overrides the service's
};

// ---- plugins, consumers, groups ---------------------------------------------------------------

struct PluginInstance {
  std::string name;  // one of pluginNames()
  PluginScope scope;
  std::vector<std::string> groups;  // gateway groups it applies in; empty: all
  bool enabled = true;
  PluginConfig config;  // empty when !enabled and no config was given
  int line = 0;         // where it was declared (for messages)
};

struct ConsumerConfig {
  std::string name;
  std::vector<std::string> groups;
  std::vector<std::string> api_key_hashes;  // lower-case hex SHA-256, without "sha256:"
};

struct GroupConfig {
  std::string name;
  // Where it was declared, for messages about names it references.
  int index = 0;
  int listeners_line = 0;
  int routes_line = 0;
  std::vector<std::string> listeners;  // empty: every listener
  std::optional<std::vector<std::string>> routes;  // unset: every route
};

struct PorticoConfig {
  int version = 1;
  RequestIdConfig request_id;
  AccessLogConfig access_log;
  std::vector<ListenerConfig> listeners;
  std::vector<GroupConfig> groups;
  std::vector<ServiceConfig> services;
  std::vector<RouteConfig> routes;  // first match wins, in this order
  std::vector<PluginInstance> plugins;  // consumer-scoped ones included (from consumers[].plugins)
  std::vector<ConsumerConfig> consumers;
  std::string source;  // file it came from ("" for the built-in default)

  const ServiceConfig* service(const std::string& name) const;
  const RouteConfig* route(const std::string& name) const;
};

// The configuration used when portico-cp starts without --config: one listener "default" on
// 0.0.0.0:8080 and no explicit routes (every registered service gets its default route).
PorticoConfig defaultConfig();

}  // namespace portico::cp::model
