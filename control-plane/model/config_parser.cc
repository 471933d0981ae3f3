#include "control-plane/model/config_parser.h"

#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/ascii.h"
#include "common/net/address.h"
#include "common/strings.h"
#include "common/xds/hcm_extensions.h"
#include "control-plane/model/parser_internal.h"
#include "control-plane/model/yaml_reader.h"

namespace portico::cp::model {

namespace internal {

bool isName(std::string_view name) {
  if (name.empty() || name.size() > 63) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
  }
  return true;
}

std::optional<std::string> readName(YamlReader& r, const YAML::Node& node, const std::string& path,
                                    std::set<std::string>& seen, std::string_view what) {
  auto name = r.string(node, "name", path, true);
  if (!name) return std::nullopt;
  if (!isName(*name)) {
    r.error(node["name"], YamlReader::join(path, "name"), kNameRule);
  } else if (!seen.insert(*name).second) {
    r.error(node["name"], YamlReader::join(path, "name"), cat("duplicate ", what, " name \"", *name, "\""));
  }
  return name;
}

}  // namespace internal

namespace {

using internal::readName;

std::optional<ListenerTls> parseTls(YamlReader& r, const YAML::Node& node, const std::string& path) {
  if (!r.expectMap(node, path, {"certificates", "min_version", "client_ca"})) return std::nullopt;
  ListenerTls tls;
  const YAML::Node certs = node["certificates"];
  const std::string certs_path = YamlReader::join(path, "certificates");
  if (!certs) {
    r.error(node, certs_path, "required: at least one {cert, key}");
  } else if (r.expectSequence(certs, certs_path)) {
    // A TLS server needs a certificate: an empty list would only be refused by the proxies.
    if (certs.size() == 0) r.error(certs, certs_path, "at least one {cert, key} is required");
    for (size_t i = 0; i < certs.size(); ++i) {
      const std::string where = YamlReader::index(certs_path, i);
      if (!r.expectMap(certs[i], where, {"cert", "key"})) continue;
      TlsCertificate cert;
      auto path_of = [&](const char* key, std::string& out) {
        auto v = r.string(certs[i], key, where, true);
        if (!v) return;
        if (v->empty()) r.error(certs[i][key], YamlReader::join(where, key), "must not be empty");
        out = *v;
      };
      path_of("cert", cert.cert);
      path_of("key", cert.key);
      tls.certificates.push_back(std::move(cert));
    }
  }
  if (auto v = r.oneOf(node, "min_version", path, {"1.2", "1.3"}, false)) tls.min_version = *v;
  if (auto v = r.string(node, "client_ca", path, false)) tls.client_ca = *v;
  return tls;
}

void parseListeners(YamlReader& r, const YAML::Node& root, PorticoConfig& out) {
  const YAML::Node list = root["listeners"];
  if (!list || !r.expectSequence(list, "listeners")) return;
  std::set<std::string> names;
  std::set<std::pair<std::string, int64_t>> bound;
  for (size_t i = 0; i < list.size(); ++i) {
    const YAML::Node node = list[i];
    const std::string path = YamlReader::index("listeners", i);
    if (!r.expectMap(node, path, {"name", "address", "port", "tls", "http"})) continue;
    ListenerConfig listener;
    if (auto name = readName(r, node, path, names, "listener")) listener.name = *name;
    if (auto address = r.string(node, "address", path, false)) {
      if (!net::isIpLiteral(*address)) {
        r.error(node["address"], YamlReader::join(path, "address"), cat("\"", *address, "\" is not an IP literal"));
      }
      listener.address = *address;
    }
    if (auto port = r.integer(node, "port", path, true, 1, 65535)) {
      listener.port = static_cast<uint32_t>(*port);
      if (!bound.insert({listener.address, *port}).second) {
        r.error(node["port"], YamlReader::join(path, "port"),
                cat("another listener already uses ", listener.address, ":", *port));
      }
    }
    if (node["tls"]) listener.tls = parseTls(r, node["tls"], YamlReader::join(path, "tls"));
    if (node["http"]) listener.http = internal::parseListenerHttp(r, node["http"], YamlReader::join(path, "http"));
    out.listeners.push_back(std::move(listener));
  }
}

void parseGroups(YamlReader& r, const YAML::Node& root, PorticoConfig& out) {
  const YAML::Node list = root["groups"];
  if (!list || !r.expectSequence(list, "groups")) return;
  std::set<std::string> names;
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string path = YamlReader::index("groups", i);
    if (!r.expectMap(list[i], path, {"name", "listeners", "routes"})) continue;
    GroupConfig group;
    group.index = static_cast<int>(i);
    if (list[i]["listeners"]) group.listeners_line = list[i]["listeners"].Mark().line + 1;
    if (list[i]["routes"]) group.routes_line = list[i]["routes"].Mark().line + 1;
    if (auto name = readName(r, list[i], path, names, "group")) group.name = *name;
    if (auto v = r.stringList(list[i], "listeners", path, false)) group.listeners = std::move(*v);
    if (auto v = r.stringList(list[i], "routes", path, false)) group.routes = std::move(*v);
    out.groups.push_back(std::move(group));
  }
}

bool isSha256Hex(const std::string& text) {
  if (text.size() != 64) return false;
  for (char c : text) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

void parseConsumers(YamlReader& r, const YAML::Node& root, PorticoConfig& out) {
  const YAML::Node list = root["consumers"];
  if (!list || !r.expectSequence(list, "consumers")) return;
  std::set<std::string> names;
  std::map<std::string, std::string> key_owner;
  for (size_t i = 0; i < list.size(); ++i) {
    const YAML::Node node = list[i];
    const std::string path = YamlReader::index("consumers", i);
    if (!r.expectMap(node, path, {"name", "groups", "api_keys", "plugins"})) continue;
    ConsumerConfig consumer;
    if (auto name = readName(r, node, path, names, "consumer")) consumer.name = *name;
    if (auto v = r.stringList(node, "groups", path, false)) consumer.groups = std::move(*v);
    if (auto keys = r.stringList(node, "api_keys", path, false)) {
      for (const std::string& key : *keys) {
        const std::string hex = absl::AsciiStrToLower(key.rfind("sha256:", 0) == 0 ? key.substr(7) : "");
        if (!isSha256Hex(hex)) {
          // Plaintext keys are refused so they never sit in config files, xDS or dumps.
          r.error(node["api_keys"], YamlReader::join(path, "api_keys"),
                  "keys are given as \"sha256:<64 hex digits>\" (porticoctl hash-key KEY prints one), never in plaintext");
          continue;
        }
        if (auto [it, fresh] = key_owner.emplace(hex, consumer.name); !fresh) {
          r.error(node["api_keys"], YamlReader::join(path, "api_keys"), cat("key already belongs to consumer \"", it->second, "\""));
        }
        consumer.api_key_hashes.push_back(hex);
      }
    }
    if (node["plugins"]) {
      const PluginScope scope{PluginScope::Kind::kConsumer, consumer.name};
      internal::parsePlugins(r, node["plugins"], YamlReader::join(path, "plugins"), &scope, out);
    }
    out.consumers.push_back(std::move(consumer));
  }
}

void parseRequestId(YamlReader& r, const YAML::Node& root, PorticoConfig& out) {
  const YAML::Node node = root["request_id"];
  if (!node || !r.expectMap(node, "request_id", {"header", "response"})) return;
  if (auto v = r.string(node, "header", "request_id", false)) {
    out.request_id.header = absl::AsciiStrToLower(*v);
    if (!::portico::xds::validRequestIdHeader(out.request_id.header)) {
      r.error(node["header"], "request_id.header",
              cat("\"", *v,
                  "\" cannot carry request ids: use an HTTP header name of at most 64 "
                  "characters that the gateway does not manage itself (not Host, Content-Length, "
                  "X-Forwarded-For, x-portico-*, x-user-*, ...)"));
    }
  }
  if (auto v = r.boolean(node, "response", "request_id")) out.request_id.response = *v;
}

void parseAccessLog(YamlReader& r, const YAML::Node& root, PorticoConfig& out) {
  const YAML::Node node = root["access_log"];
  if (!node || !r.expectMap(node, "access_log", {"format", "path", "enabled"})) return;
  out.access_log.enabled = true;
  if (auto v = r.boolean(node, "enabled", "access_log")) out.access_log.enabled = *v;
  if (auto v = r.oneOf(node, "format", "access_log", {"json"}, false)) out.access_log.format = *v;
  if (auto v = r.string(node, "path", "access_log", false)) {
    out.access_log.path = *v;
    if (v->empty()) {
      r.error(node["path"], "access_log.path", "must not be empty (stdout, stderr or a file)");
    }
  }
}

}  // namespace

namespace internal {
// Cross-section references: names that must exist elsewhere in the file (config_references.cc).
void checkReferences(YamlReader& r, const YAML::Node& root, const PorticoConfig& config);
}  // namespace internal

PorticoConfig defaultConfig() {
  PorticoConfig config;
  config.listeners.push_back(ListenerConfig{"default", "0.0.0.0", 8080, std::nullopt, {}});
  return config;
}

const ServiceConfig* PorticoConfig::service(const std::string& name) const {
  for (const ServiceConfig& s : services) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

const RouteConfig* PorticoConfig::route(const std::string& name) const {
  for (const RouteConfig& r : routes) {
    if (r.name == name) return &r;
  }
  return nullptr;
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
  if (!r.expectMap(root, "", {"version", "request_id", "access_log", "listeners", "groups", "services", "routes",
                              "plugins", "consumers"})) {
    return r.status();
  }
  if (auto version = r.integer(root, "version", "", false, 1, 1)) {
    config.version = static_cast<int>(*version);
  }
  parseRequestId(r, root, config);
  parseAccessLog(r, root, config);
  parseListeners(r, root, config);
  parseGroups(r, root, config);
  internal::parseServices(r, root, config);
  internal::parseRoutes(r, root, config);
  if (root["plugins"]) internal::parsePlugins(r, root["plugins"], "plugins", nullptr, config);
  parseConsumers(r, root, config);
  internal::checkReferences(r, root, config);
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
