#pragma once

// Typed, validated configuration of each plugin (ARCHITECTURE §4). One struct per plugin; the
// parser (plugin_parsers.cc) fills them and the translator turns them into HTTP filter configs.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "absl/time/time.h"

namespace portico::cp::model {

// Where a plugin applies. For one plugin name the most specific scope wins and replaces the
// others (Kong): consumer > route > service > global.
struct PluginScope {
  enum class Kind { kGlobal, kService, kRoute, kConsumer };
  Kind kind = Kind::kGlobal;
  std::string target;  // the service, route or consumer name
};

// A secret given by reference, never inline: the environment, a file, or base64 text.
struct SecretRef {
  enum class Kind { kEnv, kFile, kBase64 };
  Kind kind = Kind::kEnv;
  std::string value;
};

struct JwtProviderConfig {
  std::string name;
  std::string issuer;
  std::vector<std::string> audiences;
  std::string jwks_uri;              // remote JWKS, or…
  std::string jwks_inline;           // …inline JWKS JSON, or…
  std::optional<SecretRef> secret;   // …an HMAC secret,
  std::string secret_bytes;          // resolved when the file is loaded (env/file/base64)
  std::string jwks_ca;
  absl::Duration jwks_cache = absl::Minutes(10);
  std::vector<std::string> require;  // claims that must be present
  std::vector<std::string> algorithms;  // allowed "alg" values; empty: any the key supports
};

struct JwtConfig {
  std::vector<JwtProviderConfig> providers;
  std::vector<std::string> from_headers = {"authorization"};  // "Bearer " prefix for authorization
  std::vector<std::string> from_query;
  std::string consumer_claim;
  std::map<std::string, std::string> claims_to_headers;  // claim → header
  absl::Duration clock_skew = absl::Seconds(60);
  // What a route requires: kRequired — a valid token; kOptional — no token is fine, an invalid
  // one is refused; kPermissive — never refused (claims are forwarded when the token is valid).
  enum class Requirement { kRequired, kOptional, kPermissive };
  Requirement requirement = Requirement::kRequired;
  std::vector<std::string> require_providers;  // any of; empty: any provider
};

struct KeyAuthConfig {
  std::string header = "x-api-key";
  std::string query;  // also accept ?<query>=key when set
  bool hide_credentials = true;  // strip the key before forwarding
};

struct AuthorizeRule {
  std::string claim;                  // with `in` or `contains`
  std::vector<std::string> in;
  std::string contains;
  std::string consumer_group;         // or a consumer group
};

struct AuthorizeConfig {
  std::vector<AuthorizeRule> any_of;
  std::vector<AuthorizeRule> all_of;
};

struct RedisConfig {
  std::string address;  // host:port
  absl::Duration timeout = absl::Milliseconds(50);
};

struct RateLimitConfig {
  uint64_t limit = 0;
  absl::Duration window = absl::Minutes(1);
  uint64_t burst = 0;  // bucket capacity; 0: limit
  // consumer | client_ip | header:<name> | claim:<name> | global
  std::string key = "client_ip";
  enum class Policy { kLocal, kRedis };
  Policy policy = Policy::kLocal;
  std::optional<RedisConfig> redis;
  enum class Algorithm { kTokenBucket, kFixedWindow, kSlidingWindow };
  Algorithm algorithm = Algorithm::kTokenBucket;
  bool fail_open = true;  // when Redis is unreachable
};

struct QuotaConfig {
  uint64_t limit = 0;
  enum class Period { kDay, kMonth };
  Period period = Period::kMonth;
  std::string key = "consumer";
  RedisConfig redis;
  bool fail_open = true;
};

struct RequestSizeLimitConfig {
  uint64_t max_body_bytes = 0;
};

struct CacheConfig {
  absl::Duration ttl = absl::Minutes(5);
  std::vector<std::string> methods = {"GET", "HEAD"};
  std::vector<uint32_t> statuses = {200};
  std::vector<std::string> content_types;  // empty: any
  uint64_t max_size_bytes = 64ull << 20;
  uint64_t max_entry_bytes = 1ull << 20;
  bool include_query = true;
  std::vector<std::string> query_params;  // when set: only these parameters are in the key
  std::vector<std::string> key_headers;
  enum class Backend { kMemory, kRedis };
  Backend backend = Backend::kMemory;
  std::optional<RedisConfig> redis;
};

struct CorsConfig {
  std::vector<std::string> origins;  // exact, "*", or "~regex"
  std::vector<std::string> methods;
  std::vector<std::string> headers;
  std::vector<std::string> expose_headers;
  bool credentials = false;
  absl::Duration max_age = absl::ZeroDuration();
};

struct HeadersConfig {
  std::vector<std::pair<std::string, std::string>> add;  // appended
  std::vector<std::pair<std::string, std::string>> set;  // replaced
  std::vector<std::string> remove;
};

struct GrpcTranscodeConfig {
  std::string descriptor;  // a FileDescriptorSet (.pb) path…
  std::string descriptor_bytes;  // its content, read when the config file is loaded
  bool reflection = false;  // …or server reflection
  std::vector<std::string> services;  // fully qualified; empty: all in the descriptor
};

struct ExtAuthConfig {
  std::string url;
  std::vector<std::string> identity_headers;
  std::vector<std::string> upstream_headers;
  absl::Duration cache_ttl = absl::ZeroDuration();
  absl::Duration timeout = absl::Seconds(1);
  bool fail_open = false;
};

using PluginConfig =
    std::variant<std::monostate, JwtConfig, KeyAuthConfig, AuthorizeConfig, RateLimitConfig, QuotaConfig,
                 RequestSizeLimitConfig, CacheConfig, CorsConfig, HeadersConfig, GrpcTranscodeConfig,
                 ExtAuthConfig>;

// The plugin names portico.yaml accepts, in filter-chain order (see translator/filter_builder).
const std::vector<std::string>& pluginNames();

}  // namespace portico::cp::model
