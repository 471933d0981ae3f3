#pragma once

// Section parsers of portico.yaml, shared by config_parser.cc and its siblings. Each reads its
// section into the config and records every problem in the reader; none stops at the first.

#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "control-plane/model/portico_config.h"
#include "control-plane/model/yaml_reader.h"

namespace portico::cp::model::internal {

// 1..63 of A-Z a-z 0-9 - _ (listener, route, group, consumer and provider names).
bool isName(std::string_view name);
inline constexpr char kNameRule[] = "must be 1..63 characters of A-Z a-z 0-9 - _";

// Reads `key` as a name (required), checks the rule and uniqueness among `seen`.
std::optional<std::string> readName(YamlReader& r, const YAML::Node& node, const std::string& path,
                                    std::set<std::string>& seen, std::string_view what);

// listeners[i].http (listener_http_parser.cc); `node` is the http block.
ListenerHttpConfig parseListenerHttp(YamlReader& r, const YAML::Node& node, const std::string& path);

void parseServices(YamlReader& r, const YAML::Node& root, PorticoConfig& out);
void parseRoutes(YamlReader& r, const YAML::Node& root, PorticoConfig& out);
std::optional<RetryConfig> parseRetries(YamlReader& r, const YAML::Node& node, const std::string& path);

// Top-level `plugins` and `consumers[].plugins`.
void parsePlugins(YamlReader& r, const YAML::Node& list, const std::string& path, const PluginScope* forced,
                  PorticoConfig& out);
// One plugin's `config` block, by plugin name. `node` may be undefined (no config given).
PluginConfig parsePluginConfig(YamlReader& r, const std::string& name, const YAML::Node& node,
                               const std::string& path);

}  // namespace portico::cp::model::internal
