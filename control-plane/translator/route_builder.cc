#include "control-plane/translator/route_builder.h"

#include <re2/re2.h>

#include <algorithm>
#include <set>

#include "absl/strings/str_join.h"
#include "common/strings.h"
#include "control-plane/translator/filter_builder.h"
#include "control-plane/translator/proto_util.h"

namespace portico::cp::translator {

namespace route_v3 = envoy::config::route::v3;
using model::RouteConfig;
using model::RouteMatchConfig;

namespace {

// Does a route's host pattern `q` cover every request that virtual host `p` receives?
bool covers(const std::string& q, const std::string& p) {
  if (q == p || q == "*") return true;
  if (q.size() > 1 && q[0] == '*') {
    const std::string suffix = q.substr(1);  // ".example.com"
    return p.size() > suffix.size() && p.compare(p.size() - suffix.size(), suffix.size(), suffix) == 0;
  }
  return false;
}

bool appliesTo(const RouteConfig& route, const std::string& pattern) {
  if (route.match.hosts.empty()) return true;
  for (const std::string& host : route.match.hosts) {
    if (covers(host, pattern)) return true;
  }
  return false;
}

std::string alternation(const std::vector<std::string>& values) {
  std::vector<std::string> quoted;
  for (const std::string& value : values) quoted.push_back(RE2::QuoteMeta(value));
  return absl::StrJoin(quoted, "|");
}

// gRPC 1.51 NACKs HeaderMatcher.string_match, so the deprecated per-kind fields are used: they
// mean the same to Envoy.
void setHeaderValues(route_v3::HeaderMatcher* matcher, const std::vector<std::string>& values) {
  if (values.empty()) {
    matcher->set_present_match(true);
  } else if (values.size() == 1) {
    matcher->set_exact_match(values.front());
  } else {
    matcher->mutable_safe_regex_match()->set_regex(alternation(values));
  }
}

void buildMatch(const RouteMatchConfig& in, const std::string& path, route_v3::RouteMatch* out) {
  switch (in.path_kind) {
    case RouteMatchConfig::PathKind::kPrefix:
      out->set_prefix(path);
      break;
    case RouteMatchConfig::PathKind::kExact:
      out->set_path(path);
      break;
    case RouteMatchConfig::PathKind::kRegex:
      out->mutable_safe_regex()->set_regex(path);
      break;
    case RouteMatchConfig::PathKind::kTemplate:
      out->mutable_safe_regex()->set_regex(templateToRegex(path));
      break;
  }
  if (!in.case_sensitive) out->mutable_case_sensitive()->set_value(false);
  if (!in.methods.empty()) {
    auto* method = out->add_headers();
    method->set_name(":method");
    setHeaderValues(method, in.methods);
  }
  for (const model::HeaderMatchConfig& header : in.headers) {
    auto* matcher = out->add_headers();
    matcher->set_name(header.name);
    setHeaderValues(matcher, header.values);
  }
  for (const model::QueryMatchConfig& query : in.query) {
    auto* matcher = out->add_query_parameters();
    matcher->set_name(query.name);
    if (query.values.empty()) {
      matcher->set_present_match(true);
    } else if (query.values.size() == 1) {
      matcher->mutable_string_match()->set_exact(query.values.front());
    } else {
      matcher->mutable_string_match()->mutable_safe_regex()->set_regex(alternation(query.values));
    }
  }
}

void buildRetryPolicy(const model::RetryConfig& in, route_v3::RetryPolicy* out) {
  std::vector<std::string> conditions;
  for (const std::string& condition : in.retry_on) {
    const bool status_code = condition.size() == 3 && std::all_of(condition.begin(), condition.end(), [](char c) {
      return std::isdigit(static_cast<unsigned char>(c));
    });
    if (status_code) {
      out->add_retriable_status_codes(static_cast<uint32_t>(std::stoul(condition)));
    } else {
      conditions.push_back(condition);
    }
  }
  if (out->retriable_status_codes_size() > 0) conditions.push_back("retriable-status-codes");
  out->set_retry_on(absl::StrJoin(conditions, ","));
  out->mutable_num_retries()->set_value(in.attempts);
  if (in.per_try_timeout) setDuration(*in.per_try_timeout, out->mutable_per_try_timeout());
  setDuration(in.backoff_base, out->mutable_retry_back_off()->mutable_base_interval());
  setDuration(in.backoff_max, out->mutable_retry_back_off()->mutable_max_interval());
  if (!in.allow_non_idempotent) {
    // Envoy retries only requests matching these headers: the idempotent methods.
    auto* method = out->add_retriable_request_headers();
    method->set_name(":method");
    method->mutable_safe_regex_match()->set_regex("GET|HEAD|OPTIONS|PUT|DELETE|TRACE");
  }
}

void buildHashPolicy(const model::HashOn& in, route_v3::RouteAction* out) {
  auto* policy = out->add_hash_policy();
  switch (in.kind) {
    case model::HashOn::Kind::kHeader:
      policy->mutable_header()->set_header_name(in.name);
      break;
    case model::HashOn::Kind::kCookie:
      policy->mutable_cookie()->set_name(in.name);
      break;
    case model::HashOn::Kind::kClientIp:
      policy->mutable_connection_properties()->set_source_ip(true);
      break;
  }
}

const model::ServiceConfig* targetService(const RouteConfig& route, const model::PorticoConfig& config) {
  const std::string& name = !route.service.empty() ? route.service : route.split.empty() ? "" : route.split[0].service;
  return name.empty() ? nullptr : config.service(name);
}

void buildForwardAction(const RouteConfig& route, const std::string& prefix, const model::PorticoConfig& config,
                        route_v3::RouteAction* out) {
  if (!route.service.empty()) {
    out->set_cluster(route.service);
  } else {
    uint32_t total = 0;
    for (const model::WeightedTarget& target : route.split) {
      if (target.weight == 0) continue;  // gRPC drops them; Envoy never picks them
      auto* weighted = out->mutable_weighted_clusters()->add_clusters();
      weighted->set_name(target.service);
      weighted->mutable_weight()->set_value(target.weight);
      total += target.weight;
    }
    out->mutable_weighted_clusters()->mutable_total_weight()->set_value(total);  // gRPC requires the sum
  }
  const model::ServiceConfig* service = targetService(route, config);
  if (route.timeout) {
    setDuration(*route.timeout, out->mutable_timeout());
  } else if (service != nullptr && service->timeout) {
    setDuration(*service->timeout, out->mutable_timeout());
  }
  const model::RetryConfig* retries = route.retries ? &*route.retries
                                      : (service != nullptr && service->retries) ? &*service->retries
                                                                                 : nullptr;
  if (retries != nullptr && retries->attempts > 0) buildRetryPolicy(*retries, out->mutable_retry_policy());
  if (service != nullptr && service->hash_on) buildHashPolicy(*service->hash_on, out);
  if (route.strip_prefix && prefix != "/") {
    std::string trimmed = prefix;
    while (trimmed.size() > 1 && trimmed.back() == '/') trimmed.pop_back();
    // Matched case-insensitively? Then strip it the same way.
    const char* flags = route.match.case_sensitive ? "" : "(?i)";
    out->mutable_regex_rewrite()->mutable_pattern()->set_regex(cat(flags, "^", RE2::QuoteMeta(trimmed), "/*"));
    out->mutable_regex_rewrite()->set_substitution("/");
  }
  if (route.rewrite) {
    if (route.rewrite->prefix) out->set_prefix_rewrite(*route.rewrite->prefix);
    if (route.rewrite->regex) {
      out->mutable_regex_rewrite()->mutable_pattern()->set_regex(*route.rewrite->regex);
      out->mutable_regex_rewrite()->set_substitution(route.rewrite->substitution);
    }
    if (route.rewrite->host) out->set_host_rewrite_literal(*route.rewrite->host);
  }
}

void buildRedirect(const model::RedirectConfig& in, route_v3::RedirectAction* out) {
  using Code = route_v3::RedirectAction;
  switch (in.status) {
    case 302:
      out->set_response_code(Code::FOUND);
      break;
    case 303:
      out->set_response_code(Code::SEE_OTHER);
      break;
    case 307:
      out->set_response_code(Code::TEMPORARY_REDIRECT);
      break;
    case 308:
      out->set_response_code(Code::PERMANENT_REDIRECT);
      break;
    default:
      out->set_response_code(Code::MOVED_PERMANENTLY);
  }
  if (in.scheme) out->set_scheme_redirect(*in.scheme);
  if (in.host) out->set_host_redirect(*in.host);
  if (in.path) out->set_path_redirect(*in.path);
}

void addRoutes(const RouteConfig& route, const RouteTableInput& input, route_v3::VirtualHost* vhost) {
  for (const std::string& path : route.match.paths) {
    route_v3::Route* out = vhost->add_routes();
    out->set_name(route.name);
    buildMatch(route.match, path, out->mutable_match());
    if (route.direct_response) {
      out->mutable_direct_response()->set_status(route.direct_response->status);
      out->mutable_direct_response()->mutable_body()->set_inline_string(route.direct_response->body);
      auto* header = out->add_response_headers_to_add();
      header->mutable_header()->set_key("content-type");
      header->mutable_header()->set_value(route.direct_response->content_type);
      header->set_append_action(envoy::config::core::v3::HeaderValueOption::OVERWRITE_IF_EXISTS_OR_ADD);
    } else if (route.redirect) {
      buildRedirect(*route.redirect, out->mutable_redirect());
    } else {
      buildForwardAction(route, path, *input.config, out->mutable_route());
    }
    if (input.plugins != nullptr) addRouteFilterConfigs(route, *input.plugins, out->mutable_typed_per_filter_config());
  }
}

// A default route is a route to its service like any other: it carries the service's timeout,
// retries and hash policy.
void addDefaultRoutes(const RouteTableInput& input, route_v3::VirtualHost* vhost) {
  for (const std::string& service : input.default_route_services) {
    RouteConfig route;
    route.name = service;
    route.service = service;
    const std::string prefix = "/" + service + "/";
    route_v3::Route* out = vhost->add_routes();
    out->set_name(service);
    out->mutable_match()->set_prefix(prefix);
    buildForwardAction(route, prefix, *input.config, out->mutable_route());
    if (input.plugins != nullptr) addRouteFilterConfigs(route, *input.plugins, out->mutable_typed_per_filter_config());
  }
}

}  // namespace

std::string templateToRegex(const std::string& path_template) {
  std::string out;
  re2::StringPiece rest(path_template);
  while (!rest.empty()) {
    const size_t open = rest.find('{');
    if (open == re2::StringPiece::npos) {
      out += RE2::QuoteMeta(rest);
      break;
    }
    out += RE2::QuoteMeta(rest.substr(0, open));
    const size_t close = rest.find('}', open);
    out += "[^/]+";
    rest.remove_prefix(close + 1);
  }
  return out;
}

route_v3::RouteConfiguration buildRouteTable(const RouteTableInput& input) {
  route_v3::RouteConfiguration out;
  out.set_name(input.name);
  std::vector<std::string> patterns;
  std::set<std::string> seen;
  for (const RouteConfig* route : input.routes) {
    for (const std::string& host : route->match.hosts) {
      if (host != "*" && seen.insert(host).second) patterns.push_back(host);
    }
  }
  FilterConfigMap vhost_filters;
  if (input.plugins != nullptr) addVirtualHostFilterConfigs(*input.plugins, &vhost_filters);
  auto add_vhost = [&](const std::string& name, const std::string& domain) {
    route_v3::VirtualHost* vhost = out.add_virtual_hosts();
    vhost->set_name(name);
    vhost->add_domains(domain);
    *vhost->mutable_typed_per_filter_config() = vhost_filters;
    for (const RouteConfig* route : input.routes) {
      if (appliesTo(*route, domain)) addRoutes(*route, input, vhost);
    }
    addDefaultRoutes(input, vhost);
  };
  for (const std::string& pattern : patterns) add_vhost(pattern, pattern);
  add_vhost(input.name, "*");
  return out;
}

}  // namespace portico::cp::translator
