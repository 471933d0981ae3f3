// portico.yaml `plugins` (and `consumers[].plugins`): which plugin, where, on or off.

#include "absl/strings/str_join.h"
#include "common/strings.h"
#include "control-plane/model/parser_internal.h"

namespace portico::cp::model::internal {
namespace {

bool knownPlugin(const std::string& name) {
  for (const std::string& known : pluginNames()) {
    if (known == name) return true;
  }
  return false;
}

// Plugins that act after the consumer is known can differ per consumer; authentication itself
// cannot (it is what identifies the consumer).
bool consumerScopable(const std::string& name) {
  return name == "rate-limit" || name == "quota" || name == "request-size-limit" || name == "request-headers" ||
         name == "response-headers";
}

std::string scopeText(const PluginScope& scope) {
  switch (scope.kind) {
    case PluginScope::Kind::kGlobal:
      return "globally";
    case PluginScope::Kind::kService:
      return cat("for service \"", scope.target, "\"");
    case PluginScope::Kind::kRoute:
      return cat("for route \"", scope.target, "\"");
    case PluginScope::Kind::kConsumer:
      return cat("for consumer \"", scope.target, "\"");
  }
  return "";
}

bool overlap(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  if (a.empty() || b.empty()) return true;
  for (const std::string& x : a) {
    for (const std::string& y : b) {
      if (x == y) return true;
    }
  }
  return false;
}

PluginScope readScope(YamlReader& r, const YAML::Node& node, const std::string& path) {
  PluginScope scope;
  int given = 0;
  for (const auto& [key, kind] : {std::pair{"route", PluginScope::Kind::kRoute},
                                  std::pair{"service", PluginScope::Kind::kService},
                                  std::pair{"consumer", PluginScope::Kind::kConsumer}}) {
    if (auto target = r.string(node, key, path, false)) {
      scope.kind = kind;
      scope.target = *target;
      ++given;
    }
  }
  if (given > 1) {
    r.error(node, path, "give at most one of route, service, consumer");
  }
  return scope;
}

}  // namespace

void parsePlugins(YamlReader& r, const YAML::Node& list, const std::string& path, const PluginScope* forced,
                  PorticoConfig& out) {
  if (!r.expectSequence(list, path)) return;
  for (size_t i = 0; i < list.size(); ++i) {
    const YAML::Node node = list[i];
    const std::string where = YamlReader::index(path, i);
    const bool ok = forced ? r.expectMap(node, where, {"name", "groups", "enabled", "config"})
                           : r.expectMap(node, where, {"name", "route", "service", "consumer", "groups", "enabled", "config"});
    if (!ok) continue;
    PluginInstance plugin;
    plugin.line = node.Mark().line + 1;
    auto name = r.string(node, "name", where, true);
    if (!name) continue;
    if (!knownPlugin(*name)) {
      r.error(node["name"], YamlReader::join(where, "name"),
              cat("unknown plugin \"", *name, "\"; known: ", absl::StrJoin(pluginNames(), ", ")));
      continue;
    }
    plugin.name = *name;
    plugin.scope = forced ? *forced : readScope(r, node, where);
    if (plugin.scope.kind == PluginScope::Kind::kConsumer && !consumerScopable(plugin.name)) {
      r.error(node, where, cat("plugin \"", plugin.name,
                               "\" cannot be scoped to a consumer: it runs before the consumer is known"));
    }
    if (auto groups = r.stringList(node, "groups", where, false)) plugin.groups = std::move(*groups);
    if (auto enabled = r.boolean(node, "enabled", where)) plugin.enabled = *enabled;
    if (plugin.enabled || node["config"]) {
      const std::string config_path = YamlReader::join(where, "config");
      if (!node["config"] && plugin.name != "key-auth" && plugin.name != "cache") {
        r.error(node, config_path, cat("required for plugin \"", plugin.name, "\""));
      } else {
        plugin.config = parsePluginConfig(r, plugin.name, node["config"], config_path);
      }
    }
    for (const PluginInstance& other : out.plugins) {
      if (other.name == plugin.name && other.scope.kind == plugin.scope.kind &&
          other.scope.target == plugin.scope.target && overlap(other.groups, plugin.groups)) {
        r.error(node, where, cat("plugin \"", plugin.name, "\" is already configured ", scopeText(plugin.scope),
                                 " (line ", other.line, ")"));
        break;
      }
    }
    out.plugins.push_back(std::move(plugin));
  }
}

}  // namespace portico::cp::model::internal
