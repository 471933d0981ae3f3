#include "control-plane/model/config_parser.h"

#include <fstream>
#include <set>
#include <sstream>

#include "common/duration.h"
#include "common/strings.h"
#include "control-plane/model/yaml_reader.h"
#include "control-plane/registry/instance_validator.h"

namespace portico::cp::model {
namespace {

bool isName(std::string_view name) {
  if (name.empty() || name.size() > 63) {
    return false;
  }
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') {
      return false;
    }
  }
  return true;
}

constexpr char kNameRule[] = "must be 1..63 characters of A-Z a-z 0-9 - _";

void parseListeners(YamlReader& r, const YAML::Node& root, PorticoConfig& out) {
  const YAML::Node list = root["listeners"];
  if (!list || !r.expectSequence(list, "listeners")) {
    return;
  }
  std::set<std::string> names;
  std::set<std::pair<std::string, int64_t>> bound;
  for (size_t i = 0; i < list.size(); ++i) {
    const YAML::Node node = list[i];
    const std::string path = YamlReader::index("listeners", i);
    if (!r.expectMap(node, path, {"name", "address", "port"})) {
      continue;
    }
    ListenerConfig listener;
    if (auto name = r.string(node, "name", path, true)) {
      listener.name = *name;
      if (!isName(*name)) {
        r.error(node["name"], YamlReader::join(path, "name"), kNameRule);
      } else if (!names.insert(*name).second) {
        r.error(node["name"], YamlReader::join(path, "name"), cat("duplicate listener name \"", *name, "\""));
      }
    }
    if (auto address = r.string(node, "address", path, false)) {
      listener.address = *address;
    }
    if (auto port = r.integer(node, "port", path, true, 1, 65535)) {
      listener.port = static_cast<uint32_t>(*port);
      if (!bound.insert({listener.address, *port}).second) {
        r.error(node["port"], YamlReader::join(path, "port"),
                cat("another listener already uses ", listener.address, ":", *port));
      }
    }
    out.listeners.push_back(std::move(listener));
  }
}

void parseRouteMatch(YamlReader& r, const YAML::Node& node, const std::string& path,
                     RouteMatchConfig& out) {
  if (!r.expectMap(node, path, {"path_prefix"})) {
    return;
  }
  if (auto prefixes = r.stringList(node, "path_prefix", path, false)) {
    const std::string field = YamlReader::join(path, "path_prefix");
    for (size_t i = 0; i < prefixes->size(); ++i) {
      const std::string& prefix = (*prefixes)[i];
      if (prefix.empty() || prefix[0] != '/') {
        r.error(node["path_prefix"], field, cat("\"", prefix, "\" must start with \"/\""));
      }
    }
    out.path_prefixes = std::move(*prefixes);
  }
  if (out.path_prefixes.empty()) {
    out.path_prefixes.push_back("/");
  }
}

void parseRoutes(YamlReader& r, const YAML::Node& root, PorticoConfig& out) {
  const YAML::Node list = root["routes"];
  if (!list || !r.expectSequence(list, "routes")) {
    return;
  }
  std::set<std::string> names;
  for (size_t i = 0; i < list.size(); ++i) {
    const YAML::Node node = list[i];
    const std::string path = YamlReader::index("routes", i);
    if (!r.expectMap(node, path, {"name", "match", "service", "timeout"})) {
      continue;
    }
    RouteConfig route;
    if (auto name = r.string(node, "name", path, true)) {
      route.name = *name;
      if (!isName(*name)) {
        r.error(node["name"], YamlReader::join(path, "name"), kNameRule);
      } else if (!names.insert(*name).second) {
        r.error(node["name"], YamlReader::join(path, "name"), cat("duplicate route name \"", *name, "\""));
      }
    }
    if (!node["match"]) {
      r.error(node, YamlReader::join(path, "match"), "required");
    } else {
      parseRouteMatch(r, node["match"], YamlReader::join(path, "match"), route.match);
    }
    if (auto service = r.string(node, "service", path, true)) {
      route.service = *service;
      if (absl::Status s = registry::validateServiceName(*service); !s.ok()) {
        r.error(node["service"], YamlReader::join(path, "service"),
                cat("\"", *service, "\" is not a valid service name"));
      }
    }
    if (auto timeout = r.string(node, "timeout", path, false)) {
      auto parsed = parseDuration(*timeout);
      if (!parsed.ok()) {
        r.error(node["timeout"], YamlReader::join(path, "timeout"), sv(parsed.status().message()));
      } else {
        route.timeout = *parsed;
      }
    }
    out.routes.push_back(std::move(route));
  }
}

}  // namespace

PorticoConfig defaultConfig() {
  PorticoConfig config;
  config.listeners.push_back(ListenerConfig{"default", "0.0.0.0", 8080});
  return config;
}

absl::StatusOr<PorticoConfig> parseConfig(std::string_view yaml_text, const std::string& file) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml_text));
  } catch (const YAML::Exception& e) {
    // yaml-cpp reports syntax errors by exception; the mark is 0-based.
    return absl::InvalidArgumentError(cat(file, ":", e.mark.line + 1, ": YAML syntax error: ", e.msg));
  }
  YamlReader r(file);
  PorticoConfig config;
  config.source = file;
  if (root.IsNull()) {
    return absl::InvalidArgumentError(cat(file, ": the file is empty"));
  }
  if (!r.expectMap(root, "", {"version", "listeners", "routes"})) {
    return r.status();
  }
  if (auto version = r.integer(root, "version", "", false, 1, 1)) {
    config.version = static_cast<int>(*version);
  }
  parseListeners(r, root, config);
  parseRoutes(r, root, config);
  if (!r.ok()) {
    return r.status();
  }
  return config;
}

absl::StatusOr<PorticoConfig> loadConfigFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return absl::NotFoundError(cat(path, ": cannot open the config file"));
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  return parseConfig(buffer.str(), path);
}

}  // namespace portico::cp::model
