#include "control-plane/translator/filter_builder.h"

#include "absl/strings/escaping.h"
#include "common/strings.h"
#include "common/xds/filter_names.h"
#include "common/xds/type_urls.h"
#include "control-plane/translator/proto_util.h"
#include "control-plane/translator/plugin_messages.h"
#include "envoy/config/route/v3/route_components.pb.h"
#include "envoy/extensions/filters/http/cors/v3/cors.pb.h"
#include "envoy/extensions/filters/http/grpc_json_transcoder/v3/transcoder.pb.h"
#include "envoy/extensions/filters/http/jwt_authn/v3/config.pb.h"
#include "envoy/extensions/filters/http/router/v3/router.pb.h"
#include "portico/filters/cache/v1/cache.pb.h"
#include "portico/filters/consumers/v1/consumers.pb.h"
#include "portico/filters/jwt_policy/v1/jwt_policy.pb.h"

namespace portico::cp::translator {

namespace hcm = envoy::extensions::filters::network::http_connection_manager::v3;
namespace jwt = envoy::extensions::filters::http::jwt_authn::v3;
using model::PluginInstance;
using model::PluginScope;

namespace {

constexpr char kJwtPolicyFilter[] = "portico.filters.http.jwt_policy";

// A stable key for an instance: "global", "route.<name>", "service.<name>".
std::string instanceKey(const PluginInstance& plugin) {
  switch (plugin.scope.kind) {
    case PluginScope::Kind::kGlobal:
      return "global";
    case PluginScope::Kind::kRoute:
      return "route." + plugin.scope.target;
    case PluginScope::Kind::kService:
      return "service." + plugin.scope.target;
    case PluginScope::Kind::kConsumer:
      return "consumer." + plugin.scope.target;
  }
  return "";
}

google::protobuf::Any wrapFilterConfig(const google::protobuf::Any& config, bool disabled) {
  envoy::config::route::v3::FilterConfig wrapper;
  if (disabled) {
    wrapper.set_disabled(true);
  } else {
    *wrapper.mutable_config() = config;
  }
  google::protobuf::Any any;
  packDeterministic(wrapper, &any);
  return any;
}

// ---- jwt --------------------------------------------------------------------------------------

jwt::JwtProvider jwtProvider(const model::JwtConfig& config, const model::JwtProviderConfig& in) {
  jwt::JwtProvider out;
  out.set_issuer(in.issuer);
  for (const auto& audience : in.audiences) out.add_audiences(audience);
  if (!in.jwks_uri.empty()) {
    auto* remote = out.mutable_remote_jwks();
    remote->mutable_http_uri()->set_uri(in.jwks_uri);
    // Envoy fetches through a cluster; portico-proxy fetches the URI itself and ignores it.
    remote->mutable_http_uri()->set_cluster("portico-jwks");
    remote->mutable_http_uri()->mutable_timeout()->set_seconds(5);
    remote->mutable_cache_duration()->set_seconds(absl::ToInt64Seconds(in.jwks_cache));
  } else if (!in.jwks_inline.empty()) {
    out.mutable_local_jwks()->set_inline_string(in.jwks_inline);
  } else if (!in.secret_bytes.empty()) {
    // An HMAC secret travels as a one-key JWKS of type "oct" (redacted in every config dump).
    const std::string k = absl::WebSafeBase64Escape(in.secret_bytes);
    out.mutable_local_jwks()->set_inline_string(cat(R"({"keys":[{"kty":"oct","k":")", k, R"("}]})"));
  }
  out.set_forward(true);  // upstreams often need the token; Kong forwards it too
  for (const std::string& header : config.from_headers) {
    auto* from = out.add_from_headers();
    if (header == "authorization") {
      from->set_name("Authorization");
      from->set_value_prefix("Bearer ");
    } else {
      from->set_name(header);
    }
  }
  for (const std::string& param : config.from_query) out.add_from_params(param);
  out.set_clock_skew_seconds(static_cast<uint32_t>(absl::ToInt64Seconds(config.clock_skew)));
  for (const auto& [claim, header] : config.claims_to_headers) {
    auto* mapping = out.add_claim_to_headers();
    mapping->set_claim_name(claim);
    mapping->set_header_name(header);
  }
  for (const std::string& claim : in.require) {
    if (claim == "exp") out.set_require_expiration(true);
  }
  return out;
}

jwt::JwtRequirement jwtRequirement(const model::JwtConfig& config, const std::string& key) {
  std::vector<std::string> names;
  for (const auto& provider : config.providers) {
    const bool wanted = config.require_providers.empty() ||
                        std::find(config.require_providers.begin(), config.require_providers.end(),
                                  provider.name) != config.require_providers.end();
    if (wanted) names.push_back(key + "/" + provider.name);
  }
  jwt::JwtRequirement out;
  const bool lenient = config.requirement != model::JwtConfig::Requirement::kRequired;
  if (names.size() == 1 && !lenient) {
    out.set_provider_name(names.front());
    return out;
  }
  auto* any = out.mutable_requires_any();
  for (const std::string& name : names) any->add_requirements()->set_provider_name(name);
  if (config.requirement == model::JwtConfig::Requirement::kOptional) {
    any->add_requirements()->mutable_allow_missing();
  } else if (config.requirement == model::JwtConfig::Requirement::kPermissive) {
    any->add_requirements()->mutable_allow_missing_or_failed();
  }
  return out;
}

void addJwtFilters(const PluginResolver& plugins, const registry::RevocationList& revoked,
                   std::vector<hcm::HttpFilter>& out) {
  jwt::JwtAuthentication authn;
  portico::filters::jwt_policy::v1::JwtPolicy policy;
  policy.mutable_revoked_tokens()->Reserve(static_cast<int>(revoked.size()));
  for (const registry::RevokedToken& token : revoked) {
    auto* entry = policy.add_revoked_tokens();
    entry->set_jti(token.jti);
    entry->set_expires_at(token.expires_at);
  }
  for (const PluginInstance* plugin : plugins.all("jwt")) {
    const auto* config = std::get_if<model::JwtConfig>(&plugin->config);
    if (config == nullptr) continue;  // a bare `enabled: false`
    const std::string key = instanceKey(*plugin);
    for (const auto& provider : config->providers) {
      const std::string name = key + "/" + provider.name;
      (*authn.mutable_providers())[name] = jwtProvider(*config, provider);
      auto& extra = (*policy.mutable_providers())[name];
      for (const auto& claim : provider.require) extra.add_required_claims(claim);
      for (const auto& alg : provider.algorithms) extra.add_algorithms(alg);
      extra.set_jwks_ca(provider.jwks_ca);
      extra.set_consumer_claim(config->consumer_claim);
    }
    (*authn.mutable_requirement_map())[key] = jwtRequirement(*config, key);
  }
  const PluginInstance* global = plugins.global("jwt");
  if (global != nullptr && global->enabled) {
    auto* rule = authn.add_rules();
    rule->mutable_match()->set_prefix("/");
    rule->set_requirement_name("global");
  }
  hcm::HttpFilter filter;
  filter.set_name(std::string(portico::xds::kJwtFilter));
  packDeterministic(authn, filter.mutable_typed_config());
  filter.set_disabled(global == nullptr || !global->enabled);  // only routes that enable it run it
  out.push_back(filter);
  hcm::HttpFilter companion;
  companion.set_name(kJwtPolicyFilter);
  packDeterministic(policy, companion.mutable_typed_config());
  out.push_back(companion);
}

// ---- others -----------------------------------------------------------------------------------

google::protobuf::Any grpcTranscoder(const model::GrpcTranscodeConfig& in) {
  envoy::extensions::filters::http::grpc_json_transcoder::v3::GrpcJsonTranscoder out;
  out.set_proto_descriptor_bin(in.descriptor_bytes);
  for (const auto& service : in.services) out.add_services(service);
  out.mutable_print_options()->set_preserve_proto_field_names(true);
  out.set_convert_grpc_status(true);
  google::protobuf::Any any;
  packDeterministic(out, &any);
  return any;
}

// The filter-level config of a plugin other than jwt: the enabled global instance's config, or
// (filter disabled by default) the first instance's, so the type is right.
google::protobuf::Any filterLevelConfig(const std::string& name, const PluginResolver& plugins) {
  if (name == "cors") {
    google::protobuf::Any any;
    packDeterministic(envoy::extensions::filters::http::cors::v3::Cors(), &any);
    return any;
  }
  const PluginInstance* global = plugins.global(name);
  const PluginInstance* source = global != nullptr && global->enabled ? global : nullptr;
  if (source == nullptr) {
    for (const PluginInstance* plugin : plugins.all(name)) {
      if (!std::holds_alternative<std::monostate>(plugin->config)) {
        source = plugin;
        break;
      }
    }
  }
  if (source == nullptr) return {};
  if (const auto* c = std::get_if<model::GrpcTranscodeConfig>(&source->config)) return grpcTranscoder(*c);
  return pluginMessage(name, source->config, instanceKey(*source));
}

// The purge log rides in the cache filter's filter-level config (cache.proto, Cache.purges).
void addPurges(const registry::PurgeList& purges, google::protobuf::Any& config) {
  if (purges.epoch == 0) return;
  portico::filters::cache::v1::Cache cache;
  if (!config.UnpackTo(&cache)) return;  // not a cache config (cannot happen: the plugin's own)
  cache.set_purge_epoch(purges.epoch);
  for (const registry::CachePurge& purge : purges.purges) {
    auto* out = cache.add_purges();
    out->set_id(purge.id);
    out->set_route(purge.route);
    out->set_path_prefix(purge.path_prefix);
  }
  packDeterministic(cache, &config);
}

google::protobuf::Any consumersConfig(const model::PorticoConfig& config, const PluginResolver& plugins) {
  portico::filters::consumers::v1::Consumers out;
  for (const model::ConsumerConfig& consumer : config.consumers) {
    auto* c = out.add_consumers();
    c->set_name(consumer.name);
    for (const auto& group : consumer.groups) c->add_groups(group);
    for (const auto& hash : consumer.api_key_hashes) c->add_api_key_sha256(hash);
    for (const PluginInstance* plugin : plugins.consumerInstances(consumer.name)) {
      auto* override = c->add_plugins();
      override->set_name(plugin->name);
      override->set_disabled(!plugin->enabled);
      if (plugin->enabled) {
        *override->mutable_config() = pluginMessage(plugin->name, plugin->config, instanceKey(*plugin));
      }
    }
  }
  google::protobuf::Any any;
  packDeterministic(out, &any);
  return any;
}

}  // namespace

std::vector<hcm::HttpFilter> buildHttpFilters(const model::PorticoConfig& config, const PluginResolver& plugins,
                                              const registry::RevocationList& revoked,
                                              const registry::PurgeList& purges) {
  std::vector<hcm::HttpFilter> out;
  if (!config.consumers.empty()) {
    hcm::HttpFilter consumers;
    consumers.set_name(std::string(portico::xds::kConsumersFilter));
    *consumers.mutable_typed_config() = consumersConfig(config, plugins);
    out.push_back(std::move(consumers));
  }
  for (const std::string& name : plugins.activeNames()) {
    if (name == "jwt") {
      addJwtFilters(plugins, revoked, out);
      continue;
    }
    hcm::HttpFilter filter;
    filter.set_name(std::string(portico::xds::filterForPlugin(name)));
    *filter.mutable_typed_config() = filterLevelConfig(name, plugins);
    if (name == "cache") addPurges(purges, *filter.mutable_typed_config());
    const PluginInstance* global = plugins.global(name);
    // CORS carries its policy per virtual host, so the filter itself is always on.
    if (name != "cors" && (global == nullptr || !global->enabled)) {
      filter.set_disabled(true);  // only routes that enable it run it
    }
    out.push_back(std::move(filter));
  }
  hcm::HttpFilter router;
  router.set_name(std::string(portico::xds::kRouterFilterName));
  packDeterministic(envoy::extensions::filters::http::router::v3::Router(), router.mutable_typed_config());
  out.push_back(std::move(router));
  return out;
}

void addRouteFilterConfigs(const model::RouteConfig& route, const PluginResolver& plugins, FilterConfigMap* out) {
  for (const std::string& name : plugins.activeNames()) {
    const PluginInstance* override = plugins.routeOverride(name, route);
    if (override == nullptr) continue;
    const std::string filter(portico::xds::filterForPlugin(name));
    if (name == "jwt") {
      jwt::PerRouteConfig per_route;
      if (override->enabled) {
        per_route.set_requirement_name(instanceKey(*override));
      } else {
        per_route.set_disabled(true);
      }
      google::protobuf::Any any;
      packDeterministic(per_route, &any);
      (*out)[filter] = wrapFilterConfig(any, /*disabled=*/false);
      continue;
    }
    google::protobuf::Any config;
    if (override->enabled) {
      config = name == "cors"                                     ? corsPolicy(std::get<model::CorsConfig>(override->config))
               : std::holds_alternative<model::GrpcTranscodeConfig>(override->config)
                   ? grpcTranscoder(std::get<model::GrpcTranscodeConfig>(override->config))
                   : pluginMessage(name, override->config, instanceKey(*override));
    }
    (*out)[filter] = wrapFilterConfig(config, !override->enabled);
  }
}

void addVirtualHostFilterConfigs(const PluginResolver& plugins, FilterConfigMap* out) {
  const PluginInstance* cors = plugins.global("cors");
  if (cors != nullptr && cors->enabled) {
    (*out)[std::string(portico::xds::kCorsFilter)] =
        wrapFilterConfig(corsPolicy(std::get<model::CorsConfig>(cors->config)), false);
  }
}

}  // namespace portico::cp::translator
