// portico.yaml `routes`: matches and actions.

#include <re2/re2.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"
#include "common/strings.h"
#include "control-plane/model/parser_internal.h"
#include "control-plane/registry/instance_validator.h"

namespace portico::cp::model::internal {
namespace {

constexpr std::string_view kMethods[] = {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT"};

// A host name (letters, digits, '-' and '.'), "*.suffix" or "*": no scheme, port or path.
bool validHost(const std::string& host) {
  if (host == "*") return true;
  std::string_view name = host;
  if (name.starts_with("*.")) name.remove_prefix(2);
  if (name.empty() || name.size() > 253 || name.front() == '.' || name.back() == '.') return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.') return false;
  }
  return true;
}

// "/users/{id}/orders/{order}": every segment is a literal without braces or a whole "{name}".
bool validTemplate(const std::string& path) {
  if (path.empty() || path[0] != '/') return false;
  for (absl::string_view segment : absl::StrSplit(absl::string_view(path).substr(1), '/')) {
    const bool variable = segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
    const absl::string_view body = variable ? segment.substr(1, segment.size() - 2) : segment;
    for (char c : body) {
      const bool ok = variable ? (std::isalnum(static_cast<unsigned char>(c)) || c == '_') : (c != '{' && c != '}');
      if (!ok) return false;
    }
  }
  return true;
}

void parsePath(YamlReader& r, const YAML::Node& node, const std::string& path, RouteMatchConfig& out) {
  int given = 0;
  for (const char* key : {"path_prefix", "path", "path_regex", "path_template"}) {
    given += node[key] ? 1 : 0;
  }
  if (given > 1) {
    r.error(node, path, "give only one of path_prefix, path, path_regex, path_template");
    return;
  }
  if (auto prefixes = r.stringList(node, "path_prefix", path, false)) {
    for (const std::string& prefix : *prefixes) {
      if (prefix.empty() || prefix[0] != '/') {
        r.error(node["path_prefix"], YamlReader::join(path, "path_prefix"), cat("\"", prefix, "\" must start with \"/\""));
      }
    }
    out.paths = std::move(*prefixes);
  } else if (auto exact = r.string(node, "path", path, false)) {
    if (exact->empty() || (*exact)[0] != '/') {
      r.error(node["path"], YamlReader::join(path, "path"), cat("\"", *exact, "\" must start with \"/\""));
    }
    out.path_kind = RouteMatchConfig::PathKind::kExact;
    out.paths = {*exact};
  } else if (auto regex = r.string(node, "path_regex", path, false)) {
    RE2 compiled(*regex, RE2::Quiet);
    if (!compiled.ok()) {
      r.error(node["path_regex"], YamlReader::join(path, "path_regex"),
              cat("invalid RE2 regex: ", compiled.error()));
    }
    out.path_kind = RouteMatchConfig::PathKind::kRegex;
    out.paths = {*regex};
  } else if (auto templ = r.string(node, "path_template", path, false)) {
    if (!validTemplate(*templ)) {
      r.error(node["path_template"], YamlReader::join(path, "path_template"),
              cat("\"", *templ, "\" is not a template like /users/{id}: start with \"/\", each {name} a whole segment"));
    }
    out.path_kind = RouteMatchConfig::PathKind::kTemplate;
    out.paths = {*templ};
  }
  if (out.paths.empty()) {
    out.paths = {"/"};
  }
}

template <typename T>
std::vector<T> parseValueMatchers(YamlReader& r, const YAML::Node& node, const std::string& path, bool lower_names) {
  std::vector<T> out;
  if (!node) return out;
  if (!node.IsMap()) {
    r.error(node, path, "must be a mapping of names to a value or a list of values");
    return out;
  }
  for (const auto& entry : node) {
    T matcher;
    matcher.name = lower_names ? absl::AsciiStrToLower(entry.first.Scalar()) : entry.first.Scalar();
    const std::string where = YamlReader::join(path, entry.first.Scalar());
    if (entry.second.IsScalar()) {
      matcher.values = {entry.second.Scalar()};
    } else if (entry.second.IsSequence()) {
      for (const auto& value : entry.second) {
        if (!value.IsScalar()) {
          r.error(value, where, "values must be strings");
          continue;
        }
        matcher.values.push_back(value.Scalar());
      }
    } else {
      r.error(entry.second, where, "must be a value or a list of values ([] means: present)");
    }
    out.push_back(std::move(matcher));
  }
  return out;
}

void parseMatch(YamlReader& r, const YAML::Node& node, const std::string& path, RouteMatchConfig& out) {
  if (!r.expectMap(node, path, {"hosts", "path_prefix", "path", "path_regex", "path_template", "methods", "headers",
                                "query", "case_sensitive"})) {
    return;
  }
  if (auto hosts = r.stringList(node, "hosts", path, false)) {
    for (std::string& host : *hosts) {
      host = absl::AsciiStrToLower(host);
      if (!validHost(host)) {
        r.error(node["hosts"], YamlReader::join(path, "hosts"),
                cat("\"", host, "\" is not a host name, \"*.suffix\" or \"*\""));
      }
    }
    out.hosts = std::move(*hosts);
  }
  parsePath(r, node, path, out);
  if (auto methods = r.stringList(node, "methods", path, false)) {
    for (std::string& method : *methods) {
      method = absl::AsciiStrToUpper(method);
      bool known = false;
      for (std::string_view m : kMethods) known = known || m == method;
      if (!known) {
        r.error(node["methods"], YamlReader::join(path, "methods"), cat("\"", method, "\" is not an HTTP method"));
      }
    }
    out.methods = std::move(*methods);
  }
  out.headers = parseValueMatchers<HeaderMatchConfig>(r, node["headers"], YamlReader::join(path, "headers"), true);
  out.query = parseValueMatchers<QueryMatchConfig>(r, node["query"], YamlReader::join(path, "query"), false);
  if (auto v = r.boolean(node, "case_sensitive", path)) out.case_sensitive = *v;
}

void parseSplit(YamlReader& r, const YAML::Node& list, const std::string& path, RouteConfig& out) {
  if (!r.expectSequence(list, path)) return;
  uint64_t total = 0;
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string where = YamlReader::index(path, i);
    if (!r.expectMap(list[i], where, {"service", "weight"})) continue;
    WeightedTarget target;
    if (auto service = r.string(list[i], "service", where, true)) {
      if (!registry::validateServiceName(*service).ok()) {
        r.error(list[i]["service"], YamlReader::join(where, "service"), cat("\"", *service, "\" is not a valid service name"));
      }
      target.service = *service;
    }
    if (auto weight = r.integer(list[i], "weight", where, true, 0, 10000)) target.weight = *weight;
    total += target.weight;
    out.split.push_back(std::move(target));
  }
  if (out.split.empty()) {
    r.error(list, path, "give at least one {service, weight}");
  } else if (total == 0) {
    r.error(list, path, "weights must not all be 0");
  }
}

void parseAction(YamlReader& r, const YAML::Node& node, const std::string& path, RouteConfig& out) {
  int actions = 0;
  for (const char* key : {"service", "split", "direct_response", "redirect"}) actions += node[key] ? 1 : 0;
  if (actions != 1) {
    r.error(node, path, "give exactly one of service, split, direct_response, redirect");
    return;
  }
  if (auto service = r.string(node, "service", path, false)) {
    if (!registry::validateServiceName(*service).ok()) {
      r.error(node["service"], YamlReader::join(path, "service"), cat("\"", *service, "\" is not a valid service name"));
    }
    out.service = *service;
  }
  if (node["split"]) parseSplit(r, node["split"], YamlReader::join(path, "split"), out);
  if (const YAML::Node direct = node["direct_response"]) {
    const std::string where = YamlReader::join(path, "direct_response");
    if (r.expectMap(direct, where, {"status", "content_type", "body"})) {
      DirectResponseConfig response;
      if (auto v = r.integer(direct, "status", where, true, 100, 599)) response.status = *v;
      if (auto v = r.string(direct, "content_type", where, false)) response.content_type = *v;
      if (auto v = r.string(direct, "body", where, false)) response.body = *v;
      out.direct_response = std::move(response);
    }
  }
  if (const YAML::Node redirect = node["redirect"]) {
    const std::string where = YamlReader::join(path, "redirect");
    if (r.expectMap(redirect, where, {"status", "scheme", "host", "path"})) {
      RedirectConfig config;
      if (auto v = r.integer(redirect, "status", where, false, 300, 308)) {
        if (*v != 301 && *v != 302 && *v != 303 && *v != 307 && *v != 308) {
          r.error(redirect["status"], YamlReader::join(where, "status"), "must be 301, 302, 303, 307 or 308");
        }
        config.status = *v;
      }
      config.scheme = r.oneOf(redirect, "scheme", where, {"http", "https"}, false);
      config.host = r.string(redirect, "host", where, false);
      config.path = r.string(redirect, "path", where, false);
      out.redirect = std::move(config);
    }
  }
}

void parseRewrite(YamlReader& r, const YAML::Node& node, const std::string& path, RouteConfig& out) {
  if (!r.expectMap(node, path, {"prefix", "regex", "substitution", "host"})) return;
  RewriteConfig rewrite;
  rewrite.prefix = r.string(node, "prefix", path, false);
  rewrite.regex = r.string(node, "regex", path, false);
  rewrite.host = r.string(node, "host", path, false);
  if (auto v = r.string(node, "substitution", path, false)) rewrite.substitution = *v;
  if (rewrite.prefix && rewrite.regex) r.error(node, path, "give prefix or regex, not both");
  if (rewrite.regex) {
    RE2 compiled(*rewrite.regex, RE2::Quiet);
    if (!compiled.ok()) r.error(node["regex"], YamlReader::join(path, "regex"), cat("invalid RE2 regex: ", compiled.error()));
    if (!node["substitution"]) r.error(node, YamlReader::join(path, "substitution"), "required with regex");
  } else if (node["substitution"]) {
    r.error(node["substitution"], YamlReader::join(path, "substitution"), "only applies with regex");
  }
  if (rewrite.prefix && out.match.path_kind != RouteMatchConfig::PathKind::kPrefix) {
    r.error(node["prefix"], YamlReader::join(path, "prefix"), "only applies to path_prefix routes");
  }
  if (rewrite.prefix && out.strip_prefix) r.error(node["prefix"], YamlReader::join(path, "prefix"), "conflicts with strip_prefix");
  if (rewrite.regex && out.strip_prefix) r.error(node["regex"], YamlReader::join(path, "regex"), "conflicts with strip_prefix");
  out.rewrite = std::move(rewrite);
}

void parseRoute(YamlReader& r, const YAML::Node& node, const std::string& path, std::set<std::string>& seen,
                PorticoConfig& config) {
  if (!r.expectMap(node, path, {"name", "match", "service", "split", "direct_response", "redirect", "strip_prefix",
                                "rewrite", "timeout", "retries"})) {
    return;
  }
  RouteConfig out;
  if (auto name = readName(r, node, path, seen, "route")) out.name = *name;
  if (!node["match"]) {
    r.error(node, YamlReader::join(path, "match"), "required");
  } else {
    parseMatch(r, node["match"], YamlReader::join(path, "match"), out.match);
  }
  parseAction(r, node, path, out);
  if (auto v = r.boolean(node, "strip_prefix", path)) {
    out.strip_prefix = *v;
    if (*v && out.match.path_kind != RouteMatchConfig::PathKind::kPrefix) {
      r.error(node["strip_prefix"], YamlReader::join(path, "strip_prefix"), "only applies to path_prefix routes");
    }
  }
  if (node["rewrite"]) parseRewrite(r, node["rewrite"], YamlReader::join(path, "rewrite"), out);
  if (auto v = r.duration(node, "timeout", path, false)) out.timeout = *v;
  if (node["retries"]) out.retries = parseRetries(r, node["retries"], YamlReader::join(path, "retries"));
  const bool forwards = !out.service.empty() || !out.split.empty();
  if (!forwards && (out.strip_prefix || out.rewrite || out.timeout || out.retries)) {
    r.error(node, path, "strip_prefix, rewrite, timeout and retries only apply to routes with service or split");
  }
  config.routes.push_back(std::move(out));
}

}  // namespace

void parseRoutes(YamlReader& r, const YAML::Node& root, PorticoConfig& out) {
  const YAML::Node list = root["routes"];
  if (!list || !r.expectSequence(list, "routes")) return;
  std::set<std::string> seen;
  for (size_t i = 0; i < list.size(); ++i) {
    parseRoute(r, list[i], YamlReader::index("routes", i), seen, out);
  }
}

}  // namespace portico::cp::model::internal
