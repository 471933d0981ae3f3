#include "control-plane/translator/plugin_resolver.h"

#include <algorithm>

namespace portico::cp::translator {

using model::PluginInstance;
using model::PluginScope;

PluginResolver::PluginResolver(const model::PorticoConfig& config, const std::string& group) {
  for (const PluginInstance& plugin : config.plugins) {
    const bool here = plugin.groups.empty() ||
                      std::find(plugin.groups.begin(), plugin.groups.end(), group) != plugin.groups.end();
    if (here) {
      instances_.push_back(&plugin);
    }
  }
  for (const std::string& name : model::pluginNames()) {
    for (const PluginInstance* plugin : instances_) {
      if (plugin->name == name && plugin->enabled) {
        active_.push_back(name);
        break;
      }
    }
  }
}

const PluginInstance* PluginResolver::find(const std::string& name, PluginScope::Kind kind,
                                           const std::string& target) const {
  for (const PluginInstance* plugin : instances_) {
    if (plugin->name == name && plugin->scope.kind == kind && plugin->scope.target == target) {
      return plugin;
    }
  }
  return nullptr;
}

const PluginInstance* PluginResolver::global(const std::string& name) const {
  return find(name, PluginScope::Kind::kGlobal, "");
}

const PluginInstance* PluginResolver::routeOverride(const std::string& name, const model::RouteConfig& route) const {
  if (const PluginInstance* own = find(name, PluginScope::Kind::kRoute, route.name)) {
    return own;
  }
  const std::string& service = route.split.size() == 1 ? route.split.front().service : route.service;
  return service.empty() ? nullptr : find(name, PluginScope::Kind::kService, service);
}

std::vector<const PluginInstance*> PluginResolver::consumerInstances(const std::string& consumer) const {
  std::vector<const PluginInstance*> out;
  for (const PluginInstance* plugin : instances_) {
    if (plugin->scope.kind == PluginScope::Kind::kConsumer && plugin->scope.target == consumer) {
      out.push_back(plugin);
    }
  }
  return out;
}

std::vector<const PluginInstance*> PluginResolver::all(const std::string& name) const {
  std::vector<const PluginInstance*> out;
  for (const PluginInstance* plugin : instances_) {
    if (plugin->name == name) out.push_back(plugin);
  }
  return out;
}

}  // namespace portico::cp::translator
