#pragma once

// The operator's declarative configuration (portico.yaml), validated. A plain value: the
// translator turns it, with the registry, into xDS snapshots. docs/config.md is the reference.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace portico::cp::model {

struct ListenerConfig {
  std::string name;
  std::string address = "0.0.0.0";
  uint32_t port = 0;
};

struct RouteMatchConfig {
  std::vector<std::string> path_prefixes;  // any of them matches; "/" when none given
};

struct RouteConfig {
  std::string name;
  RouteMatchConfig match;
  std::string service;
  // Whole-exchange timeout at the proxy (504 when it passes); unset: the proxy's default (15 s).
  // "0s" disables it.
  std::optional<absl::Duration> timeout;
};

struct PorticoConfig {
  int version = 1;
  std::vector<ListenerConfig> listeners;
  std::vector<RouteConfig> routes;  // first match wins, in this order
  std::string source;               // file it came from ("" for the built-in default)
};

// The configuration used when portico-cp starts without --config: one listener "default" on
// 0.0.0.0:8080 and no explicit routes (every registered service gets its default route).
PorticoConfig defaultConfig();

}  // namespace portico::cp::model
