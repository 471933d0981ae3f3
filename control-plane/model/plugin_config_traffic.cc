// Configuration of the traffic plugins (rate-limit, quota, request-size-limit, cache, cors,
// request/response headers, grpc-transcode) and the dispatcher by plugin name.

#include <google/protobuf/descriptor.pb.h>
#include <re2/re2.h>

#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "common/net/address.h"
#include "common/strings.h"
#include "control-plane/model/parser_internal.h"
#include "control-plane/model/plugin_config_parsers.h"

namespace portico::cp::model::internal {
namespace {

bool validKey(const std::string& key) {
  if (key == "consumer" || key == "client_ip" || key == "global") return true;
  for (std::string_view prefix : {"header:", "claim:"}) {
    if (key.starts_with(prefix) && key.size() > prefix.size()) return true;
  }
  return false;
}

void readKey(YamlReader& r, const YAML::Node& node, const std::string& path, std::string& out) {
  if (auto v = r.string(node, "key", path, false)) {
    if (!validKey(*v)) {
      r.error(node["key"], YamlReader::join(path, "key"),
              cat("\"", *v, "\" is not a key; use consumer, client_ip, global, header:<name> or claim:<name>"));
    }
    out = *v;
  }
}

std::optional<RedisConfig> parseRedis(YamlReader& r, const YAML::Node& node, const std::string& path) {
  if (!r.expectMap(node, path, {"address", "timeout"})) return std::nullopt;
  RedisConfig out;
  if (auto v = r.string(node, "address", path, true)) {
    if (!net::parseHostPort(*v).ok()) r.error(node["address"], YamlReader::join(path, "address"), "must be host:port");
    out.address = *v;
  }
  if (auto v = r.duration(node, "timeout", path, false)) out.timeout = *v;
  return out;
}

std::vector<std::string> upperList(std::vector<std::string> list) {
  for (std::string& item : list) item = absl::AsciiStrToUpper(item);
  return list;
}

}  // namespace

RateLimitConfig parseRateLimit(YamlReader& r, const YAML::Node& node, const std::string& path) {
  RateLimitConfig out;
  if (!r.expectMap(node, path, {"limit", "window", "burst", "key", "policy", "redis", "algorithm", "fail"})) return out;
  if (auto v = r.integer(node, "limit", path, true, 1, int64_t{1} << 40)) out.limit = *v;
  if (auto v = r.duration(node, "window", path, false)) {
    if (*v < absl::Milliseconds(1)) r.error(node["window"], YamlReader::join(path, "window"), "must be at least 1ms");
    out.window = *v;
  }
  if (auto v = r.integer(node, "burst", path, false, 1, int64_t{1} << 40)) out.burst = *v;
  readKey(r, node, path, out.key);
  if (auto v = r.oneOf(node, "policy", path, {"local", "redis"}, false)) {
    out.policy = *v == "redis" ? RateLimitConfig::Policy::kRedis : RateLimitConfig::Policy::kLocal;
  }
  if (node["redis"]) out.redis = parseRedis(r, node["redis"], YamlReader::join(path, "redis"));
  if (out.policy == RateLimitConfig::Policy::kRedis && !node["redis"]) {
    r.error(node, YamlReader::join(path, "redis"), "required with policy: redis");
  }
  if (auto v = r.oneOf(node, "algorithm", path, {"token_bucket", "fixed_window", "sliding_window"}, false)) {
    out.algorithm = *v == "fixed_window"     ? RateLimitConfig::Algorithm::kFixedWindow
                    : *v == "sliding_window" ? RateLimitConfig::Algorithm::kSlidingWindow
                                             : RateLimitConfig::Algorithm::kTokenBucket;
  } else if (out.policy == RateLimitConfig::Policy::kRedis) {
    out.algorithm = RateLimitConfig::Algorithm::kSlidingWindow;
  }
  if (out.policy == RateLimitConfig::Policy::kLocal && out.algorithm == RateLimitConfig::Algorithm::kSlidingWindow) {
    r.error(node["algorithm"], YamlReader::join(path, "algorithm"),
            "sliding_window needs policy: redis; a local limit is a token_bucket or a fixed_window");
  }
  if (auto v = r.oneOf(node, "fail", path, {"open", "closed"}, false)) out.fail_open = *v == "open";
  return out;
}

QuotaConfig parseQuota(YamlReader& r, const YAML::Node& node, const std::string& path) {
  QuotaConfig out;
  if (!r.expectMap(node, path, {"limit", "period", "key", "policy", "redis", "fail"})) return out;
  if (auto v = r.integer(node, "limit", path, true, 1, int64_t{1} << 40)) out.limit = *v;
  if (auto v = r.oneOf(node, "period", path, {"day", "month"}, false)) {
    out.period = *v == "day" ? QuotaConfig::Period::kDay : QuotaConfig::Period::kMonth;
  }
  readKey(r, node, path, out.key);
  r.oneOf(node, "policy", path, {"redis"}, false);  // quotas outlive any one proxy: Redis only
  if (!node["redis"]) {
    r.error(node, YamlReader::join(path, "redis"), "required (quotas are kept in Redis)");
  } else if (auto redis = parseRedis(r, node["redis"], YamlReader::join(path, "redis"))) {
    out.redis = *redis;
  }
  if (auto v = r.oneOf(node, "fail", path, {"open", "closed"}, false)) out.fail_open = *v == "open";
  return out;
}

RequestSizeLimitConfig parseRequestSizeLimit(YamlReader& r, const YAML::Node& node, const std::string& path) {
  RequestSizeLimitConfig out;
  if (!r.expectMap(node, path, {"max_body"})) return out;
  if (auto v = r.size(node, "max_body", path, true)) out.max_body_bytes = *v;
  return out;
}

CacheConfig parseCache(YamlReader& r, const YAML::Node& node, const std::string& path) {
  CacheConfig out;
  if (!node) return out;
  if (!r.expectMap(node, path, {"ttl", "methods", "statuses", "content_types", "max_size", "max_entry_size",
                                "include_query", "query_params", "key_headers", "backend", "redis"})) {
    return out;
  }
  if (auto v = r.duration(node, "ttl", path, false)) out.ttl = *v;
  if (auto v = r.stringList(node, "methods", path, false)) {
    out.methods = upperList(std::move(*v));
    for (const std::string& m : out.methods) {
      if (m != "GET" && m != "HEAD") r.error(node["methods"], YamlReader::join(path, "methods"), "only GET and HEAD are cacheable");
    }
  }
  if (auto v = r.stringList(node, "statuses", path, false)) {
    out.statuses.clear();
    for (const std::string& s : *v) {
      uint32_t code = 0;
      if (!absl::SimpleAtoi(s, &code) || code < 200 || code > 599) {
        r.error(node["statuses"], YamlReader::join(path, "statuses"), cat("\"", s, "\" is not a status (200..599)"));
      }
      out.statuses.push_back(code);
    }
  }
  if (auto v = r.stringList(node, "content_types", path, false)) out.content_types = std::move(*v);
  if (auto v = r.size(node, "max_size", path, false)) out.max_size_bytes = *v;
  if (auto v = r.size(node, "max_entry_size", path, false)) out.max_entry_bytes = *v;
  if (auto v = r.boolean(node, "include_query", path)) out.include_query = *v;
  if (auto v = r.stringList(node, "query_params", path, false)) out.query_params = std::move(*v);
  if (auto v = r.stringList(node, "key_headers", path, false)) {
    for (const std::string& h : *v) out.key_headers.push_back(absl::AsciiStrToLower(h));
  }
  if (auto v = r.oneOf(node, "backend", path, {"memory", "redis"}, false)) {
    out.backend = *v == "redis" ? CacheConfig::Backend::kRedis : CacheConfig::Backend::kMemory;
  }
  if (node["redis"]) out.redis = parseRedis(r, node["redis"], YamlReader::join(path, "redis"));
  if (out.backend == CacheConfig::Backend::kRedis && !node["redis"]) {
    // The proxies would NACK it (redis.address required): refused here, where the operator sees
    // it at once.
    r.error(node, YamlReader::join(path, "redis"), "required with backend: redis");
  }
  if (!node["max_entry_size"]) {
    out.max_entry_bytes = std::min(out.max_entry_bytes, out.max_size_bytes);  // a small cache caps its entries
  } else if (out.max_entry_bytes > out.max_size_bytes) {
    r.error(node["max_entry_size"], YamlReader::join(path, "max_entry_size"), "must not exceed max_size");
  }
  return out;
}

CorsConfig parseCors(YamlReader& r, const YAML::Node& node, const std::string& path) {
  CorsConfig out;
  if (!r.expectMap(node, path, {"origins", "methods", "headers", "expose_headers", "credentials", "max_age"})) return out;
  if (auto v = r.stringList(node, "origins", path, true)) {
    for (const std::string& origin : *v) {
      if (absl::StartsWith(origin, "~")) {
        RE2 compiled(origin.substr(1), RE2::Quiet);
        if (!compiled.ok()) {
          r.error(node["origins"], YamlReader::join(path, "origins"), cat("invalid RE2 regex: ", compiled.error()));
        }
      }
    }
    out.origins = std::move(*v);
  }
  if (auto v = r.stringList(node, "methods", path, false)) out.methods = upperList(std::move(*v));
  if (auto v = r.stringList(node, "headers", path, false)) out.headers = std::move(*v);
  if (auto v = r.stringList(node, "expose_headers", path, false)) out.expose_headers = std::move(*v);
  if (auto v = r.boolean(node, "credentials", path)) out.credentials = *v;
  if (auto v = r.duration(node, "max_age", path, false)) out.max_age = *v;
  for (const std::string& origin : out.origins) {
    if (origin == "*" && out.credentials) {
      r.error(node["origins"], YamlReader::join(path, "origins"), "\"*\" cannot be combined with credentials: true");
    }
  }
  return out;
}

HeadersConfig parseHeaders(YamlReader& r, const YAML::Node& node, const std::string& path) {
  HeadersConfig out;
  if (!r.expectMap(node, path, {"add", "set", "remove"})) return out;
  if (auto v = r.stringMap(node, "add", path)) out.add = std::move(*v);
  if (auto v = r.stringMap(node, "set", path)) out.set = std::move(*v);
  if (auto v = r.stringList(node, "remove", path, false)) out.remove = std::move(*v);
  for (auto* list : {&out.add, &out.set}) {
    for (const auto& [name, value] : *list) {
      const std::string lower = absl::AsciiStrToLower(name);
      if (absl::StartsWith(lower, "x-portico-") || lower == "host" || lower == "content-length" ||
          lower == "transfer-encoding" || lower == "connection") {
        r.error(node, path, cat("header \"", name, "\" is managed by the gateway and cannot be set"));
      }
    }
  }
  if (out.add.empty() && out.set.empty() && out.remove.empty()) r.error(node, path, "give add, set or remove");
  return out;
}

GrpcTranscodeConfig parseGrpcTranscode(YamlReader& r, const YAML::Node& node, const std::string& path) {
  GrpcTranscodeConfig out;
  if (!r.expectMap(node, path, {"descriptor", "reflection", "services"})) return out;
  if (auto v = r.string(node, "descriptor", path, false)) out.descriptor = *v;
  if (auto v = r.boolean(node, "reflection", path)) out.reflection = *v;
  if (out.reflection) {
    r.error(node["reflection"], YamlReader::join(path, "reflection"),
            "server reflection is not supported yet; give descriptor (a FileDescriptorSet, protoc --descriptor_set_out)");
  } else if (out.descriptor.empty()) {
    r.error(node, YamlReader::join(path, "descriptor"), "required");
  }
  if (auto v = r.stringList(node, "services", path, false)) out.services = std::move(*v);
  if (!out.descriptor.empty()) {
    // Read and checked now, so the proxies get the bytes and a bad file is a config error here.
    std::ifstream in(r.resolvePath(out.descriptor), std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    google::protobuf::FileDescriptorSet set;
    if (!in) {
      r.error(node["descriptor"], YamlReader::join(path, "descriptor"), cat("cannot read ", out.descriptor));
    } else if (!set.ParseFromString(buffer.str())) {
      r.error(node["descriptor"], YamlReader::join(path, "descriptor"),
              cat(out.descriptor, " is not a FileDescriptorSet (protoc --descriptor_set_out --include_imports)"));
    } else {
      out.descriptor_bytes = buffer.str();
      for (const std::string& service : out.services) {
        bool found = false;
        for (const auto& file : set.file()) {
          for (const auto& s : file.service()) {
            found = found || (file.package().empty() ? s.name() : file.package() + "." + s.name()) == service;
          }
        }
        if (!found) {
          r.error(node["services"], YamlReader::join(path, "services"),
                  cat("service \"", service, "\" is not in ", out.descriptor));
        }
      }
    }
  }
  return out;
}

PluginConfig parsePluginConfig(YamlReader& r, const std::string& name, const YAML::Node& node,
                               const std::string& path) {
  // Plugins whose config has defaults for everything may omit it.
  const bool optional_config = name == "key-auth" || name == "cache";
  if (!node && !optional_config) {
    r.error(node, path, cat("required for plugin \"", name, "\""));
    return std::monostate{};
  }
  if (name == "jwt") return parseJwt(r, node, path);
  if (name == "key-auth") return parseKeyAuth(r, node, path);
  if (name == "authorize") return parseAuthorize(r, node, path);
  if (name == "ext-auth") return parseExtAuth(r, node, path);
  if (name == "rate-limit") return parseRateLimit(r, node, path);
  if (name == "quota") return parseQuota(r, node, path);
  if (name == "request-size-limit") return parseRequestSizeLimit(r, node, path);
  if (name == "cache") return parseCache(r, node, path);
  if (name == "cors") return parseCors(r, node, path);
  if (name == "request-headers" || name == "response-headers") return parseHeaders(r, node, path);
  if (name == "grpc-transcode") return parseGrpcTranscode(r, node, path);
  return std::monostate{};
}

}  // namespace portico::cp::model::internal

namespace portico::cp::model {

const std::vector<std::string>& pluginNames() {
  // Filter-chain order: CORS preflights are answered first; size limits before any work;
  // authentication, then authorization, then limits that may key on the consumer; cache last
  // before header mutation and transcoding.
  static const std::vector<std::string> kNames = {
      "cors",     "request-size-limit", "key-auth", "jwt",   "ext-auth",        "authorize",        "rate-limit",
      "quota",    "cache",              "request-headers",  "response-headers", "grpc-transcode"};
  return kNames;
}

}  // namespace portico::cp::model
