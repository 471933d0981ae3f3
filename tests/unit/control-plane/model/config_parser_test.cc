#include "control-plane/model/config_parser.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/support/test_env.h"

namespace portico::cp::model {
namespace {

constexpr char kFile[] = "portico.yaml";

// The InvalidArgument message for `yaml`, or "" when it parses.
std::string errorOf(const std::string& yaml) {
  auto parsed = parseConfig(yaml, kFile);
  EXPECT_FALSE(parsed.ok()) << yaml;
  if (parsed.ok()) {
    return "";
  }
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(parsed.status().message());
}

TEST(ConfigParserTest, ParsesListenersAndRoutes) {
  auto config = parseConfig(R"(version: 1
listeners:
  - name: public
    address: 127.0.0.1
    port: 8080
  - name: internal
    port: 9090
routes:
  - name: orders
    match:
      path_prefix: /orders
    service: orders
  - name: users
    match:
      path_prefix: [/users, /accounts/]
    service: users-svc
)",
                            kFile);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->version, 1);
  EXPECT_EQ(config->source, kFile);
  ASSERT_EQ(config->listeners.size(), 2u);
  EXPECT_EQ(config->listeners[0].name, "public");
  EXPECT_EQ(config->listeners[0].address, "127.0.0.1");
  EXPECT_EQ(config->listeners[0].port, 8080u);
  EXPECT_EQ(config->listeners[1].name, "internal");
  EXPECT_EQ(config->listeners[1].address, "0.0.0.0");  // the default
  EXPECT_EQ(config->listeners[1].port, 9090u);
  ASSERT_EQ(config->routes.size(), 2u);
  EXPECT_EQ(config->routes[0].name, "orders");
  EXPECT_EQ(config->routes[0].match.paths, (std::vector<std::string>{"/orders"}));
  EXPECT_EQ(config->routes[0].service, "orders");
  EXPECT_EQ(config->routes[1].name, "users");
  EXPECT_EQ(config->routes[1].match.paths, (std::vector<std::string>{"/users", "/accounts/"}));
  EXPECT_EQ(config->routes[1].service, "users-svc");
}

TEST(ConfigParserTest, VersionIsOptionalAndMatchWithoutPrefixIsRoot) {
  auto config = parseConfig(R"(routes:
  - name: all
    match: {}
    service: web
)",
                            kFile);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->version, 1);
  EXPECT_TRUE(config->listeners.empty());
  ASSERT_EQ(config->routes.size(), 1u);
  EXPECT_EQ(config->routes[0].match.paths, (std::vector<std::string>{"/"}));
}

TEST(ConfigParserTest, DefaultConfig) {
  PorticoConfig config = defaultConfig();
  ASSERT_EQ(config.listeners.size(), 1u);
  EXPECT_EQ(config.listeners[0].name, "default");
  EXPECT_EQ(config.listeners[0].address, "0.0.0.0");
  EXPECT_EQ(config.listeners[0].port, 8080u);
  EXPECT_TRUE(config.routes.empty());
  EXPECT_EQ(config.source, "");
}

TEST(ConfigParserTest, UnknownTopLevelKey) {
  EXPECT_EQ(errorOf(R"(version: 1
listners:
  - name: a
    port: 80
)"),
            "portico.yaml:2: listners: unknown key; allowed here: version, request_id, access_log, "
            "listeners, groups, services, routes, plugins, consumers");
}

TEST(ConfigParserTest, UnknownKeyInARoute) {
  EXPECT_EQ(errorOf(R"(routes:
  - name: orders
    match:
      path_prefix: /orders
    service: orders
    strip_prefx: true
)"),
            "portico.yaml:6: routes[0].strip_prefx: unknown key; allowed here: name, match, "
            "service, split, direct_response, redirect, strip_prefix, rewrite, timeout, retries");
}

TEST(ConfigParserTest, UnknownKeyInARouteMatch) {
  EXPECT_EQ(errorOf(R"(routes:
  - name: orders
    match:
      prefix: /orders
    service: orders
)"),
            "portico.yaml:4: routes[0].match.prefix: unknown key; allowed here: hosts, "
            "path_prefix, path, path_regex, path_template, methods, headers, query, "
            "case_sensitive");
}

TEST(ConfigParserTest, DuplicateListenerName) {
  EXPECT_EQ(errorOf(R"(listeners:
  - name: public
    port: 8080
  - name: public
    port: 8081
)"),
            "portico.yaml:4: listeners[1].name: duplicate listener name \"public\"");
}

TEST(ConfigParserTest, DuplicatePort) {
  EXPECT_EQ(errorOf(R"(listeners:
  - name: a
    port: 8080
  - name: b
    port: 8080
)"),
            "portico.yaml:5: listeners[1].port: another listener already uses 0.0.0.0:8080");
}

TEST(ConfigParserTest, SamePortOnAnotherAddressIsAllowed) {
  auto config = parseConfig(R"(listeners:
  - name: a
    address: 127.0.0.1
    port: 8080
  - name: b
    address: 127.0.0.2
    port: 8080
)",
                            kFile);
  EXPECT_TRUE(config.ok()) << config.status();
}

TEST(ConfigParserTest, PortOutOfRange) {
  EXPECT_EQ(errorOf(R"(listeners:
  - name: a
    port: 0
)"),
            "portico.yaml:3: listeners[0].port: 0 is out of range (1..65535)");
  EXPECT_EQ(errorOf(R"(listeners:
  - name: a
    port: 70000
)"),
            "portico.yaml:3: listeners[0].port: 70000 is out of range (1..65535)");
  EXPECT_EQ(errorOf(R"(listeners:
  - name: a
    port: http
)"),
            "portico.yaml:3: listeners[0].port: must be an integer in 1..65535");
}

TEST(ConfigParserTest, MissingListenerPort) {
  EXPECT_EQ(errorOf(R"(listeners:
  - name: a
)"),
            "portico.yaml:2: listeners[0].port: required");
}

TEST(ConfigParserTest, BadListenerName) {
  EXPECT_EQ(errorOf(R"(listeners:
  - name: "my listener"
    port: 80
)"),
            "portico.yaml:2: listeners[0].name: must be 1..63 characters of A-Z a-z 0-9 - _");
}

TEST(ConfigParserTest, PathPrefixMustStartWithSlash) {
  EXPECT_EQ(errorOf(R"(routes:
  - name: orders
    match:
      path_prefix: orders
    service: orders
)"),
            "portico.yaml:4: routes[0].match.path_prefix: \"orders\" must start with \"/\"");
  EXPECT_EQ(errorOf(R"(routes:
  - name: orders
    match:
      path_prefix: [/ok, bad]
    service: orders
)"),
            "portico.yaml:4: routes[0].match.path_prefix: \"bad\" must start with \"/\"");
}

TEST(ConfigParserTest, MissingService) {
  EXPECT_EQ(errorOf(R"(routes:
  - name: orders
    match:
      path_prefix: /orders
)"),
            "portico.yaml:2: routes[0]: give exactly one of service, split, direct_response, "
            "redirect");
}

TEST(ConfigParserTest, BadServiceName) {
  EXPECT_EQ(errorOf(R"(routes:
  - name: orders
    match:
      path_prefix: /orders
    service: orders/v1
)"),
            "portico.yaml:5: routes[0].service: \"orders/v1\" is not a valid service name");
}

TEST(ConfigParserTest, MissingMatch) {
  EXPECT_EQ(errorOf(R"(routes:
  - name: orders
    service: orders
)"),
            "portico.yaml:2: routes[0].match: required");
}

TEST(ConfigParserTest, RouteTimeout) {
  auto config = parseConfig(R"(routes:
  - name: slow
    match: {path_prefix: /slow}
    service: slow
    timeout: 1m30s
  - name: off
    match: {path_prefix: /off}
    service: off
    timeout: 0s
  - name: default
    match: {path_prefix: /}
    service: web
)",
                            kFile);
  ASSERT_TRUE(config.ok()) << config.status();
  ASSERT_EQ(config->routes.size(), 3u);
  ASSERT_TRUE(config->routes[0].timeout.has_value());
  EXPECT_EQ(*config->routes[0].timeout, absl::Seconds(90));
  ASSERT_TRUE(config->routes[1].timeout.has_value());
  EXPECT_EQ(*config->routes[1].timeout, absl::ZeroDuration());
  EXPECT_FALSE(config->routes[2].timeout.has_value());
}

TEST(ConfigParserTest, BadRouteTimeout) {
  EXPECT_EQ(errorOf(R"(routes:
  - name: r
    match: {path_prefix: /}
    service: web
    timeout: 5
)"),
            "portico.yaml:5: routes[0].timeout: missing or unknown unit in duration \"5\"; units "
            "are ns, us, "
            "ms, s, m, h");
  EXPECT_EQ(
      errorOf(R"(routes:
  - name: r
    match: {path_prefix: /}
    service: web
    timeout: -1s
)"),
      "portico.yaml:5: routes[0].timeout: invalid duration \"-1s\"; expected a number with a unit, "
      "e.g. 250ms, 5s, 1m");
  EXPECT_EQ(errorOf(R"(routes:
  - name: r
    match: {path_prefix: /}
    service: web
    timeout: [5s]
)"),
            "portico.yaml:5: routes[0].timeout: must be a string");
}

TEST(ConfigParserTest, DuplicateRouteName) {
  EXPECT_EQ(errorOf(R"(routes:
  - name: r
    match: {path_prefix: /a}
    service: a
  - name: r
    match: {path_prefix: /b}
    service: b
)"),
            "portico.yaml:5: routes[1].name: duplicate route name \"r\"");
}

TEST(ConfigParserTest, WrongShapes) {
  EXPECT_EQ(errorOf("listeners: {name: a}\n"), "portico.yaml:1: listeners: must be a list");
  EXPECT_EQ(errorOf("- a\n- b\n"), "portico.yaml:1: must be a mapping (key: value)");
  EXPECT_EQ(errorOf(R"(routes:
  - orders
)"),
            "portico.yaml:2: routes[0]: must be a mapping (key: value)");
}

TEST(ConfigParserTest, YamlSyntaxError) {
  EXPECT_EQ(errorOf("listeners: [\n  {name: a, port: 80}\nroutes: []\n"),
            "portico.yaml:3: YAML syntax error: end of sequence flow not found");
  EXPECT_EQ(errorOf("version: 1\nlisteners:\n  - name: a\n  port: 80\n"),
            "portico.yaml:4: YAML syntax error: end of map not found");
}

TEST(ConfigParserTest, EmptyFile) {
  EXPECT_EQ(errorOf(""), "portico.yaml: the file is empty");
  EXPECT_EQ(errorOf("# only a comment\n"), "portico.yaml: the file is empty");
}

TEST(ConfigParserTest, UnsupportedVersion) {
  EXPECT_EQ(errorOf("version: 2\n"), "portico.yaml:1: version: 2 is out of range (1..1)");
}

TEST(ConfigParserTest, ReportsSeveralErrorsTogether) {
  EXPECT_EQ(
      errorOf(R"(version: 1
listeners:
  - name: a
    port: 0
  - name: a
    port: 80
routes:
  - name: r
    match:
      path_prefix: nope
    service: s
    extra: 1
)"),
      "portico.yaml:4: listeners[0].port: 0 is out of range (1..65535)\n"
      "portico.yaml:5: listeners[1].name: duplicate listener name \"a\"\n"
      "portico.yaml:12: routes[0].extra: unknown key; allowed here: name, match, service, split, "
      "direct_response, redirect, strip_prefix, rewrite, timeout, retries\n"
      "portico.yaml:10: routes[0].match.path_prefix: \"nope\" must start with \"/\"");
}

TEST(ConfigParserTest, LoadConfigFile) {
  const std::string dir = testing::makeTempDir("config-parser-test");
  const std::string path = dir + "/portico.yaml";
  testing::writeFile(path, "listeners:\n  - name: a\n    port: 8080\n");
  auto config = loadConfigFile(path);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->source, path);
  ASSERT_EQ(config->listeners.size(), 1u);

  testing::writeFile(path, "listeners:\n  - name: a\n    port: 0\n");
  auto bad = loadConfigFile(path);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), path + ":3: listeners[0].port: 0 is out of range (1..65535)");

  auto missing = loadConfigFile(dir + "/nope.yaml");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(missing.status().message(), dir + "/nope.yaml: cannot open the config file");
}

}  // namespace
}  // namespace portico::cp::model
