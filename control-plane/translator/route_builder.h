#pragma once

// portico.yaml routes → a listener's RouteConfiguration.
//
// Envoy chooses a virtual host by Host first and then the first matching route inside it, while
// portico.yaml promises "first match in file order, hosts included". To keep that promise, each
// distinct host pattern gets a virtual host holding, in file order, every route that can match
// a request for that pattern: routes naming it, routes naming a broader wildcard that covers it,
// and routes without hosts. A catch-all "*" virtual host holds the routes without hosts. Default
// routes for unrouted registered services come last everywhere.

#include <string>
#include <vector>

#include "control-plane/model/portico_config.h"
#include "control-plane/translator/plugin_resolver.h"
#include "envoy/config/route/v3/route.pb.h"

namespace portico::cp::translator {

struct RouteTableInput {
  std::string name;                                  // RouteConfiguration name (= listener)
  std::vector<const model::RouteConfig*> routes;     // the group's routes, in file order
  std::vector<std::string> default_route_services;   // registered services nobody routes to
  const model::PorticoConfig* config = nullptr;
  const PluginResolver* plugins = nullptr;
};

envoy::config::route::v3::RouteConfiguration buildRouteTable(const RouteTableInput& input);

// A template "/users/{id}" as the RE2 the route matches with ("/users/[^/]+").
std::string templateToRegex(const std::string& path_template);

}  // namespace portico::cp::translator
