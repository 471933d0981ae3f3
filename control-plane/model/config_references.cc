// Cross-section checks of portico.yaml: every name used in one section must exist in another.

#include <set>

#include "common/strings.h"
#include "control-plane/model/parser_internal.h"

namespace portico::cp::model::internal {
namespace {

std::set<std::string> serviceNames(const PorticoConfig& config) {
  std::set<std::string> names;
  for (const ServiceConfig& service : config.services) names.insert(service.name);
  for (const RouteConfig& route : config.routes) {
    if (!route.service.empty()) names.insert(route.service);
    for (const WeightedTarget& target : route.split) names.insert(target.service);
  }
  return names;
}

std::set<std::string> groupNames(const PorticoConfig& config) {
  std::set<std::string> names = {"default"};
  for (const GroupConfig& group : config.groups) names.insert(group.name);
  return names;
}

void checkGroups(YamlReader& r, const PorticoConfig& config) {
  std::set<std::string> listeners;
  for (const ListenerConfig& listener : config.listeners) listeners.insert(listener.name);
  for (const GroupConfig& group : config.groups) {
    const std::string where = cat("groups[", group.index, "]");
    for (const std::string& name : group.listeners) {
      if (!listeners.count(name)) {
        r.errorAt(group.listeners_line, cat(where, ".listeners"), cat("no listener named \"", name, "\""));
      }
    }
    for (const std::string& name : group.routes.value_or(std::vector<std::string>{})) {
      if (config.route(name) == nullptr) {
        r.errorAt(group.routes_line, cat(where, ".routes"), cat("no route named \"", name, "\""));
      }
    }
  }
}

void checkPlugins(YamlReader& r, const PorticoConfig& config) {
  const std::set<std::string> services = serviceNames(config);
  const std::set<std::string> groups = groupNames(config);
  std::set<std::string> consumers;
  for (const ConsumerConfig& consumer : config.consumers) consumers.insert(consumer.name);
  for (const PluginInstance& plugin : config.plugins) {
    const std::string where = cat("plugin \"", plugin.name, "\"");
    const std::string& target = plugin.scope.target;
    switch (plugin.scope.kind) {
      case PluginScope::Kind::kRoute:
        if (config.route(target) == nullptr) r.errorAt(plugin.line, where, cat("no route named \"", target, "\""));
        break;
      case PluginScope::Kind::kService:
        if (!services.count(target)) {
          r.errorAt(plugin.line, where, cat("no service named \"", target, "\" in services or in any route"));
        }
        break;
      case PluginScope::Kind::kConsumer:
        if (!consumers.count(target)) r.errorAt(plugin.line, where, cat("no consumer named \"", target, "\""));
        break;
      case PluginScope::Kind::kGlobal:
        break;
    }
    for (const std::string& group : plugin.groups) {
      if (!groups.count(group)) r.errorAt(plugin.line, where, cat("no group named \"", group, "\""));
    }
  }
}

// A split route sends traffic to several services; a plugin scoped to one of them would apply to
// only part of the route's traffic, which xDS cannot express per target for every filter. Such
// a plugin must be scoped to the route itself (which then overrides the services' instances).
void checkSplitPlugins(YamlReader& r, const PorticoConfig& config) {
  for (const RouteConfig& route : config.routes) {
    if (route.split.size() < 2) continue;
    for (const PluginInstance& plugin : config.plugins) {
      if (plugin.scope.kind != PluginScope::Kind::kService) continue;
      bool targeted = false;
      for (const WeightedTarget& target : route.split) targeted = targeted || target.service == plugin.scope.target;
      if (!targeted) continue;
      bool route_scoped = false;
      for (const PluginInstance& other : config.plugins) {
        route_scoped = route_scoped || (other.name == plugin.name && other.scope.kind == PluginScope::Kind::kRoute &&
                                        other.scope.target == route.name);
      }
      if (!route_scoped) {
        r.errorAt(plugin.line, cat("plugin \"", plugin.name, "\""),
                  cat("service \"", plugin.scope.target, "\" is one of several split targets of route \"",
                      route.name, "\"; scope the plugin to that route instead"));
      }
    }
  }
}

}  // namespace

void checkReferences(YamlReader& r, const YAML::Node& root, const PorticoConfig& config) {
  checkGroups(r, config);
  checkPlugins(r, config);
  checkSplitPlugins(r, config);
}

}  // namespace portico::cp::model::internal
