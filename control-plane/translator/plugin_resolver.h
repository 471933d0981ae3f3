#pragma once

// Which plugin instance applies where, for one gateway group (Kong's precedence): for one plugin
// name the most specific scope wins and replaces the others — consumer > route > service >
// global. Consumer instances are resolved by the proxy at request time (consumers resource);
// this class answers for routes and for the listener-wide default.

#include <map>
#include <string>
#include <vector>

#include "control-plane/model/portico_config.h"

namespace portico::cp::translator {

class PluginResolver {
 public:
  PluginResolver(const model::PorticoConfig& config, const std::string& group);

  // Plugin names with at least one instance in this group, in filter-chain order.
  const std::vector<std::string>& activeNames() const { return active_; }
  // The global instance of a plugin (enabled or not), or null.
  const model::PluginInstance* global(const std::string& name) const;
  // The instance that overrides the global one on `route`: the route's own, else its service's
  // (for a split route: none — the parser refuses service-scoped plugins on split targets unless
  // the route has its own instance). Null
  // when only the global instance (or none) applies.
  const model::PluginInstance* routeOverride(const std::string& name, const model::RouteConfig& route) const;
  // Consumer-scoped instances of a consumer in this group.
  std::vector<const model::PluginInstance*> consumerInstances(const std::string& consumer) const;
  // Every instance of a plugin in this group (any scope).
  std::vector<const model::PluginInstance*> all(const std::string& name) const;

 private:
  const model::PluginInstance* find(const std::string& name, model::PluginScope::Kind kind,
                                    const std::string& target) const;
  std::vector<const model::PluginInstance*> instances_;
  std::vector<std::string> active_;
};

}  // namespace portico::cp::translator
