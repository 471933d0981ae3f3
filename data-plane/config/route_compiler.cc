#include "data-plane/config/route_compiler.h"

#include <set>

#include "absl/strings/ascii.h"
#include "common/strings.h"
#include "data-plane/config/matcher_compiler.h"
#include "data-plane/config/retry_policy_compiler.h"
#include "envoy/extensions/filters/http/jwt_authn/v3/config.pb.h"

namespace portico::dp::config {

namespace route_v3 = envoy::config::route::v3;
using router::HeaderMatcher;

namespace {

using Errors = std::vector<std::string>;
using FilterConfigs = google::protobuf::Map<std::string, google::protobuf::Any>;

absl::Duration toDuration(const google::protobuf::Duration& d) {
  return absl::Seconds(d.seconds()) + absl::Nanoseconds(d.nanos());
}

bool compileQueryMatcher(const route_v3::QueryParameterMatcher& in, const std::string& where,
                         router::QueryMatcher& out, Errors& errors) {
  out.name = in.name();
  if (in.has_string_match()) {
    CompiledString compiled;
    if (!compileStringMatcher(in.string_match(), where, compiled, errors)) return false;
    out.kind = compiled.kind;
    out.value = std::move(compiled.value);
    out.regex = std::move(compiled.regex);
    out.ignore_case = compiled.ignore_case;
    return true;
  } else if (in.present_match()) {
    out.kind = HeaderMatcher::Kind::kPresent;
    return true;
  }
  errors.push_back(cat(where, ": a query parameter matcher needs string_match or present_match"));
  return false;
}

bool compileMatch(const route_v3::RouteMatch& match, const std::string& where, router::Route& out, Errors& errors) {
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
    case route_v3::RouteMatch::kSafeRegex:
      out.path_match = router::Route::PathMatch::kRegex;
      out.regex = compileRegex(match.safe_regex().regex(), out.case_sensitive, cat(where, ".match.safe_regex"), errors);
      if (out.regex == nullptr) return false;
      break;
    default:
      errors.push_back(cat(where, ".match: one of prefix, path or safe_regex is required"));
      return false;
  }
  for (int i = 0; i < match.headers_size(); ++i) {
    HeaderMatcher header;
    if (!compileHeaderMatcher(match.headers(i), cat(where, ".match.headers[", i, "]"), header, errors)) return false;
    out.headers.push_back(std::move(header));
  }
  for (int i = 0; i < match.query_parameters_size(); ++i) {
    router::QueryMatcher param;
    if (!compileQueryMatcher(match.query_parameters(i), cat(where, ".match.query_parameters[", i, "]"), param,
                             errors)) {
      return false;
    }
    out.query.push_back(std::move(param));
  }
  // runtime_fraction: Portico has no runtime; the default fraction (100%) always matches.
  return true;
}

void addMutations(const google::protobuf::RepeatedPtrField<envoy::config::core::v3::HeaderValueOption>& add,
                  const google::protobuf::RepeatedPtrField<std::string>* remove, router::HeaderMutation& out) {
  using Option = envoy::config::core::v3::HeaderValueOption;
  using Op = router::HeaderMutation::Op;
  if (remove != nullptr) {
    for (const std::string& name : *remove) out.steps.push_back({Op::kRemove, absl::AsciiStrToLower(name), ""});
  }
  for (const Option& option : add) {
    Op op = Op::kAppend;
    if (option.has_append()) {  // the deprecated flag wins when set (Envoy's rule)
      op = option.append().value() ? Op::kAppend : Op::kOverwriteOrAdd;
    } else {
      switch (option.append_action()) {
        case Option::ADD_IF_ABSENT:
          op = Op::kAddIfAbsent;
          break;
        case Option::OVERWRITE_IF_EXISTS_OR_ADD:
          op = Op::kOverwriteOrAdd;
          break;
        case Option::OVERWRITE_IF_EXISTS:
          op = Op::kOverwriteIfExists;
          break;
        default:
          op = Op::kAppend;
      }
    }
    out.steps.push_back({op, absl::AsciiStrToLower(option.header().key()), option.header().value()});
  }
}

// Envoy's hash_policy: header, cookie and connection_properties.source_ip. What would change
// where a request goes if ignored is refused by name (header regex_rewrite, cookie ttl — Envoy
// would then set the cookie —, filter_state, query_parameter).
bool compileHashPolicies(const route_v3::RouteAction& action, const std::string& where, router::Route& out,
                         Errors& errors) {
  using Policy = route_v3::RouteAction::HashPolicy;
  for (int i = 0; i < action.hash_policy_size(); ++i) {
    const Policy& in = action.hash_policy(i);
    const std::string pwhere = cat(where, ".route.hash_policy[", i, "]");
    router::HashPolicy policy;
    policy.terminal = in.terminal();
    switch (in.policy_specifier_case()) {
      case Policy::kHeader:
        policy.kind = router::HashPolicy::Kind::kHeader;
        policy.name = absl::AsciiStrToLower(in.header().header_name());
        if (policy.name.empty()) errors.push_back(cat(pwhere, ".header.header_name: required"));
        if (in.header().has_regex_rewrite()) errors.push_back(cat(pwhere, ".header.regex_rewrite: not supported"));
        break;
      case Policy::kCookie:
        policy.kind = router::HashPolicy::Kind::kCookie;
        policy.name = in.cookie().name();
        if (policy.name.empty()) errors.push_back(cat(pwhere, ".cookie.name: required"));
        if (in.cookie().has_ttl()) {
          errors.push_back(cat(pwhere, ".cookie.ttl: not supported (the proxy does not generate cookies)"));
        }
        break;
      case Policy::kConnectionProperties:
        if (!in.connection_properties().source_ip()) continue;  // hashes nothing
        policy.kind = router::HashPolicy::Kind::kSourceIp;
        break;
      default:
        errors.push_back(cat(pwhere, ": only header, cookie and connection_properties are supported"));
        return false;
    }
    out.hash_policies.push_back(std::move(policy));
  }
  return true;
}

bool compileAction(const route_v3::Route& in, const std::string& where, const RouteCompileContext& context,
                   router::Route& out, Errors& errors) {
  switch (in.action_case()) {
    case route_v3::Route::kDirectResponse: {
      out.action = router::Route::Action::kDirectResponse;
      out.direct_status = in.direct_response().status();
      const auto& body = in.direct_response().body();
      if (body.has_filename()) {
        errors.push_back(cat(where, ".direct_response.body.filename: not supported; give inline_string or inline_bytes"));
        return false;
      }
      out.direct_body = body.has_inline_string() ? body.inline_string() : body.inline_bytes();
      if (out.direct_status < 100 || out.direct_status > 599) {
        errors.push_back(cat(where, ".direct_response.status: ", out.direct_status, " is not an HTTP status"));
        return false;
      }
      return true;
    }
    case route_v3::Route::kRedirect: {
      const auto& r = in.redirect();
      out.action = router::Route::Action::kRedirect;
      out.redirect.scheme = r.https_redirect() ? "https" : r.scheme_redirect();
      out.redirect.host = r.host_redirect();
      out.redirect.port = r.port_redirect();
      out.redirect.path = r.path_redirect();
      out.redirect.prefix_rewrite = r.prefix_rewrite();
      out.redirect.strip_query = r.strip_query();
      static constexpr unsigned kCodes[] = {301, 302, 303, 307, 308};
      out.redirect.status = r.response_code() >= 0 && r.response_code() < 5 ? kCodes[r.response_code()] : 301;
      return true;
    }
    case route_v3::Route::kRoute:
      break;
    default:
      errors.push_back(cat(where, ": a route, redirect or direct_response action is required"));
      return false;
  }
  const auto& action = in.route();
  auto index_of = [&](const std::string& cluster) {
    auto it = context.clusters->find(cluster);
    return it == context.clusters->end() ? -1 : it->second;
  };
  if (action.cluster_specifier_case() == route_v3::RouteAction::kCluster && !action.cluster().empty()) {
    out.cluster = action.cluster();
    out.cluster_index = index_of(out.cluster);
  } else if (action.cluster_specifier_case() == route_v3::RouteAction::kWeightedClusters) {
    out.action = router::Route::Action::kWeightedClusters;
    for (const auto& weighted : action.weighted_clusters().clusters()) {
      const uint32_t weight = weighted.has_weight() ? weighted.weight().value() : 0;
      if (weight == 0) continue;
      out.weighted.push_back({weighted.name(), index_of(weighted.name()), weight});
      out.total_weight += weight;
    }
    if (out.total_weight == 0) {
      errors.push_back(cat(where, ".route.weighted_clusters: at least one cluster needs a weight"));
      return false;
    }
    out.cluster = out.weighted.front().cluster;  // for metrics labels
  } else {
    errors.push_back(cat(where, ".route: a cluster or weighted_clusters is required (cluster_header is not supported)"));
    return false;
  }
  if (action.has_timeout()) out.timeout = toDuration(action.timeout());
  out.prefix_rewrite = action.prefix_rewrite();
  if (action.has_regex_rewrite()) {
    out.regex_rewrite = compileRegex(action.regex_rewrite().pattern().regex(), true,
                                     cat(where, ".route.regex_rewrite"), errors);
    if (out.regex_rewrite == nullptr) return false;
    out.regex_substitution = action.regex_rewrite().substitution();
  }
  out.host_rewrite = action.host_rewrite_literal();
  if (!compileHashPolicies(action, where, out, errors)) return false;
  if (action.has_retry_policy()) {
    out.retry_policy = compileRetryPolicy(action.retry_policy(), cat(where, ".route.retry_policy"), errors);
    if (out.retry_policy == nullptr) return false;
  }
  // Accepted, acted on by a later version: idle_timeout, max_stream_duration (see
  // snapshot_compiler.h).
  return true;
}

// Is `filter` on for this route? The route's own typed_per_filter_config wins over the virtual
// host's; a FilterConfig wrapper may switch it off; otherwise the filter's own default holds.
bool filterEnabled(const FilterSpec& filter, const FilterConfigs& route, const FilterConfigs& vhost) {
  const google::protobuf::Any* override = nullptr;
  if (auto it = route.find(filter.name); it != route.end()) {
    override = &it->second;
  } else if (auto vit = vhost.find(filter.name); vit != vhost.end()) {
    override = &vit->second;
  }
  if (override == nullptr) return !filter.disabled && !filter.needs_policy;
  route_v3::FilterConfig wrapper;
  if (override->UnpackTo(&wrapper)) {
    if (wrapper.disabled()) return false;
    envoy::extensions::filters::http::jwt_authn::v3::PerRouteConfig jwt;
    if (wrapper.config().UnpackTo(&jwt) && jwt.disabled()) return false;
    return true;
  }
  envoy::extensions::filters::http::jwt_authn::v3::PerRouteConfig jwt;
  return !(override->UnpackTo(&jwt) && jwt.disabled());
}

// The override of `filter` for a route: the route's own typed_per_filter_config, else its
// virtual host's; null when neither has one.
const google::protobuf::Any* findOverride(const FilterSpec& filter, const FilterConfigs& route, const FilterConfigs& vhost) {
  if (auto it = route.find(filter.name); it != route.end()) return &it->second;
  if (auto it = vhost.find(filter.name); it != vhost.end()) return &it->second;
  return nullptr;
}

// An implemented filter as this route runs it: enabled or not, and its per-route config built
// by the filter's factory from the override (unwrapped from a FilterConfig).
bool compileActiveFilter(const FilterSpec& spec, size_t chain_index, const route_v3::Route& source,
                         const route_v3::VirtualHost& vhost, const RouteCompileContext& context,
                         const std::string& where, http::ActiveFilter& out, Errors& errors) {
  out.filter = spec.filter;
  out.replies = spec.replies;
  out.chain_index = static_cast<uint16_t>(chain_index);
  out.name = spec.name;
  out.enabled = filterEnabled(spec, source.typed_per_filter_config(), vhost.typed_per_filter_config());
  const google::protobuf::Any* override =
      findOverride(spec, source.typed_per_filter_config(), vhost.typed_per_filter_config());
  if (override == nullptr || !out.enabled) return true;
  const google::protobuf::Any* config = override;
  route_v3::FilterConfig wrapper;
  if (override->Is<route_v3::FilterConfig>()) {
    if (!override->UnpackTo(&wrapper)) {
      errors.push_back(cat(where, ".typed_per_filter_config[\"", spec.name, "\"]: cannot decode FilterConfig"));
      return false;
    }
    config = &wrapper.config();
  }
  if (config->type_url().empty()) return true;  // enabled with the filter-level config
  auto route_config = spec.factory->createRouteConfig(*config, *context.filter_context);
  if (!route_config.ok()) {
    errors.push_back(cat(where, ".typed_per_filter_config[\"", spec.name, "\"]: ", route_config.status().message()));
    return false;
  }
  out.config = std::move(*route_config);
  return true;
}

// The route's view of the listener's filter chain (route.filters), and fail-closed blocking for
// known filters this proxy does not implement.
void compileRouteFilters(const route_v3::Route& source, const route_v3::VirtualHost& vhost,
                         const RouteCompileContext& context, const std::string& where, router::Route& route,
                         Errors& errors) {
  for (size_t i = 0; i < context.filters->size(); ++i) {
    const FilterSpec& filter = (*context.filters)[i];
    if (filter.passive) continue;
    bool weighted_override = false;
    bool enabled = filterEnabled(filter, source.typed_per_filter_config(), vhost.typed_per_filter_config());
    if (source.route().has_weighted_clusters()) {
      for (const auto& weighted : source.route().weighted_clusters().clusters()) {
        weighted_override = weighted_override || weighted.typed_per_filter_config().contains(filter.name);
        enabled = enabled || filterEnabled(filter, weighted.typed_per_filter_config(), source.typed_per_filter_config());
      }
    }
    if (!filter.implemented || weighted_override) {
      // Fail closed: a policy this proxy cannot enforce (a filter it does not implement, or a
      // per-weighted-cluster filter config, which it does not apply) must not be skipped. A
      // weighted cluster may enable a filter for its share of the traffic, so the whole route is.
      if (enabled && route.blocked_by_filter.empty()) route.blocked_by_filter = filter.name;
      continue;
    }
    if (filter.filter == nullptr) continue;  // its config failed; the error is recorded
    http::ActiveFilter active;
    if (compileActiveFilter(filter, i, source, vhost, context, where, active, errors)) {
      route.filters.push_back(std::move(active));
    }
  }
}

}  // namespace

router::RouteTable compileRouteTable(const route_v3::RouteConfiguration& config, const RouteCompileContext& context,
                                     Errors& errors) {
  const std::string where = cat("route_configuration \"", config.name(), "\"");
  std::vector<router::VirtualHost> vhosts;
  std::set<std::string> all_domains;
  for (int v = 0; v < config.virtual_hosts_size(); ++v) {
    const auto& in = config.virtual_hosts(v);
    const std::string vwhere = cat(where, ": virtual_hosts[", v, "]");
    router::VirtualHost vhost;
    vhost.name = in.name();
    // Envoy: a route without its own retry_policy uses its virtual host's.
    std::shared_ptr<const router::RetryPolicy> vhost_retry;
    if (in.has_retry_policy()) vhost_retry = compileRetryPolicy(in.retry_policy(), cat(vwhere, ".retry_policy"), errors);
    if (in.domains_size() == 0) errors.push_back(cat(vwhere, ".domains: at least one domain is required"));
    for (const std::string& domain : in.domains()) {
      std::string lower = absl::AsciiStrToLower(domain);
      if (!router::validDomainPattern(lower)) {
        errors.push_back(cat(vwhere, ".domains: \"", domain, "\" is not a valid domain pattern"));
      } else if (!all_domains.insert(lower).second) {
        errors.push_back(cat(vwhere, ".domains: \"", domain, "\" appears in more than one virtual host"));
      }
      vhost.domains.push_back(std::move(lower));
    }
    for (int r = 0; r < in.routes_size(); ++r) {
      const route_v3::Route& source = in.routes(r);
      const std::string rwhere = cat(vwhere, ".routes[", r, "]");
      router::Route route;
      route.name = source.name();
      if (!compileMatch(source.match(), rwhere, route, errors) || !compileAction(source, rwhere, context, route, errors)) {
        continue;
      }
      if (route.retry_policy == nullptr && source.has_route()) route.retry_policy = vhost_retry;
      // Header mutations, most specific last so an overwrite at the route wins.
      addMutations(config.request_headers_to_add(), nullptr, route.request_headers);
      addMutations(in.request_headers_to_add(), nullptr, route.request_headers);
      addMutations(source.request_headers_to_add(), &source.request_headers_to_remove(), route.request_headers);
      addMutations(config.response_headers_to_add(), nullptr, route.response_headers);
      addMutations(in.response_headers_to_add(), nullptr, route.response_headers);
      addMutations(source.response_headers_to_add(), &source.response_headers_to_remove(), route.response_headers);
      compileRouteFilters(source, in, context, rwhere, route, errors);
      route.stats = context.stats->get(route.name.empty() ? route.cluster : route.name, route.cluster);
      vhost.routes.push_back(std::move(route));
    }
    vhosts.push_back(std::move(vhost));
  }
  return router::RouteTable(config.name(), std::move(vhosts));
}

}  // namespace portico::dp::config
