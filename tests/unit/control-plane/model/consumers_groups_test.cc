// portico.yaml `consumers` and `groups`: API clients with hashed keys and consumer-scoped
// plugins; gateway groups and the listeners and routes they serve.

#include <gtest/gtest.h>

#include <string>
#include <variant>
#include <vector>

#include "control-plane/model/config_parser.h"
#include "tests/unit/control-plane/model/parser_test_util.h"

namespace portico::cp::model {
namespace {

using test::errorOf;
using test::parseOk;

constexpr char kHashA[] = "3a6eb0790f39ac87c94f3856b2dd2c5d110e6811602261a9a923d3bb23adc8b7";
constexpr char kHashB[] = "b5bb9d8014a0f9b1d61e21e796d78dccdf1352f23cd32812f4850b878ae4944c";

// ---- consumers --------------------------------------------------------------------------------

TEST(ConsumersTest, ParsesConsumers) {
  PorticoConfig config = parseOk(R"(consumers:
  - name: mobile-app
    api_keys: "sha256:3A6EB0790F39AC87C94F3856B2DD2C5D110E6811602261A9A923D3BB23ADC8B7"
  - name: partner-api
    groups: [partners, beta]
    api_keys:
      - sha256:b5bb9d8014a0f9b1d61e21e796d78dccdf1352f23cd32812f4850b878ae4944c
    plugins:
      - name: rate-limit
        config: { limit: 1000, window: 1m }
      - name: request-headers
        enabled: false
  - name: anonymous
)");
  ASSERT_EQ(config.consumers.size(), 3u);
  EXPECT_EQ(config.consumers[0].name, "mobile-app");
  // Lower-cased, without "sha256:".
  EXPECT_EQ(config.consumers[0].api_key_hashes, (std::vector<std::string>{kHashA}));
  EXPECT_TRUE(config.consumers[0].groups.empty());
  EXPECT_EQ(config.consumers[1].groups, (std::vector<std::string>{"partners", "beta"}));
  EXPECT_EQ(config.consumers[1].api_key_hashes, (std::vector<std::string>{kHashB}));
  EXPECT_TRUE(config.consumers[2].api_key_hashes.empty());

  // consumers[].plugins land in `plugins`, scoped to their consumer.
  ASSERT_EQ(config.plugins.size(), 2u);
  EXPECT_EQ(config.plugins[0].name, "rate-limit");
  EXPECT_EQ(config.plugins[0].scope.kind, PluginScope::Kind::kConsumer);
  EXPECT_EQ(config.plugins[0].scope.target, "partner-api");
  EXPECT_EQ(config.plugins[0].line, 9);
  ASSERT_TRUE(std::holds_alternative<RateLimitConfig>(config.plugins[0].config));
  EXPECT_EQ(std::get<RateLimitConfig>(config.plugins[0].config).limit, 1000u);
  EXPECT_EQ(config.plugins[1].name, "request-headers");
  EXPECT_EQ(config.plugins[1].scope.target, "partner-api");
  EXPECT_FALSE(config.plugins[1].enabled);
}

TEST(ConsumersTest, PlaintextKeyIsRefused) {
  EXPECT_EQ(errorOf(R"(consumers:
  - name: app
    api_keys: [my-secret-key]
)"),
            "portico.yaml:3: consumers[0].api_keys: keys are given as \"sha256:<64 hex digits>\" "
            "(porticoctl hash-key KEY prints one), never in plaintext");
  // A bare hash without the prefix, and a hash one digit short, are refused the same way.
  const std::string bare =
      std::string("consumers:\n  - name: app\n    api_keys: [") + kHashA + "]\n";
  EXPECT_EQ(errorOf(bare),
            "portico.yaml:3: consumers[0].api_keys: keys are given as \"sha256:<64 hex digits>\" "
            "(porticoctl hash-key KEY prints one), never in plaintext");
  const std::string short_hash =
      std::string("consumers:\n  - name: app\n    api_keys: [\"sha256:") +
      std::string(kHashA).substr(1) + "\"]\n";
  EXPECT_EQ(errorOf(short_hash),
            "portico.yaml:3: consumers[0].api_keys: keys are given as \"sha256:<64 hex digits>\" "
            "(porticoctl hash-key KEY prints one), never in plaintext");
}

TEST(ConsumersTest, SameKeyOnTwoConsumers) {
  EXPECT_EQ(errorOf(R"(consumers:
  - name: a
    api_keys: ["sha256:3a6eb0790f39ac87c94f3856b2dd2c5d110e6811602261a9a923d3bb23adc8b7"]
  - name: b
    api_keys:
      - "sha256:b5bb9d8014a0f9b1d61e21e796d78dccdf1352f23cd32812f4850b878ae4944c"
      - "sha256:3A6EB0790F39AC87C94F3856B2DD2C5D110E6811602261A9A923D3BB23ADC8B7"
)"),
            "portico.yaml:6: consumers[1].api_keys: key already belongs to consumer \"a\"");
}

TEST(ConsumersTest, ConsumerPluginOfANonConsumerScopableType) {
  EXPECT_EQ(errorOf(R"(consumers:
  - name: a
    plugins:
      - name: cors
        config: { origins: ["*"] }
)"),
            "portico.yaml:4: consumers[0].plugins[0]: plugin \"cors\" cannot be scoped to a "
            "consumer: it runs before the consumer is known");
  EXPECT_EQ(errorOf(R"(consumers:
  - name: a
    plugins:
      - name: key-auth
)"),
            "portico.yaml:4: consumers[0].plugins[0]: plugin \"key-auth\" cannot be scoped to a "
            "consumer: it runs before the consumer is known");
}

TEST(ConsumersTest, ConsumerPluginNamesNoScope) {
  EXPECT_EQ(errorOf(R"(routes:
  - name: r
    match: { path_prefix: / }
    service: s
consumers:
  - name: a
    plugins:
      - name: rate-limit
        route: r
        config: { limit: 1 }
)"),
            "portico.yaml:9: consumers[0].plugins[0].route: unknown key; allowed here: name, "
            "groups, enabled, config");
}

TEST(ConsumersTest, ConsumerPluginAlsoConfiguredAtTopLevel) {
  EXPECT_EQ(errorOf(R"(plugins:
  - name: rate-limit
    consumer: a
    config: { limit: 5 }
consumers:
  - name: a
    plugins:
      - name: rate-limit
        config: { limit: 10 }
)"),
            "portico.yaml:8: consumers[0].plugins[0]: plugin \"rate-limit\" is already configured "
            "for consumer \"a\" (line 2)");
}

TEST(ConsumersTest, DuplicateConsumer) {
  EXPECT_EQ(errorOf(R"(consumers:
  - name: a
  - name: a
)"),
            "portico.yaml:3: consumers[1].name: duplicate consumer name \"a\"");
}

TEST(ConsumersTest, BadConsumerName) {
  EXPECT_EQ(errorOf(R"(consumers:
  - name: "partner api"
)"),
            "portico.yaml:2: consumers[0].name: must be 1..63 characters of A-Z a-z 0-9 - _");
}

// ---- groups -----------------------------------------------------------------------------------

TEST(GroupsTest, ParsesGroups) {
  PorticoConfig config = parseOk(R"(listeners:
  - { name: public, port: 8080 }
  - { name: admin, port: 9000 }
routes:
  - { name: users, match: { path_prefix: /users }, service: users }
  - { name: orders, match: { path_prefix: /orders }, service: orders }
groups:
  - name: web
  - name: mobile
    listeners: public
    routes: [users, orders]
  - name: none
    routes: []
)");
  ASSERT_EQ(config.groups.size(), 3u);
  EXPECT_EQ(config.groups[0].name, "web");
  EXPECT_TRUE(config.groups[0].listeners.empty());    // every listener
  EXPECT_FALSE(config.groups[0].routes.has_value());  // every route
  EXPECT_EQ(config.groups[1].listeners, (std::vector<std::string>{"public"}));
  ASSERT_TRUE(config.groups[1].routes.has_value());
  EXPECT_EQ(*config.groups[1].routes, (std::vector<std::string>{"users", "orders"}));
  ASSERT_TRUE(config.groups[2].routes.has_value());
  EXPECT_TRUE(config.groups[2].routes->empty());
}

TEST(GroupsTest, UnknownListener) {
  EXPECT_EQ(errorOf(R"(listeners:
  - name: public
    port: 8080
groups:
  - name: web
    listeners: [public, internal]
)"),
            "portico.yaml:6: groups[0].listeners: no listener named \"internal\"");
}

TEST(GroupsTest, UnknownRoute) {
  EXPECT_EQ(errorOf(R"(routes:
  - name: users
    match: { path_prefix: /users }
    service: users
groups:
  - name: mobile
    routes:
      - users
      - orders
)"),
            "portico.yaml:8: groups[0].routes: no route named \"orders\"");
}

TEST(GroupsTest, DuplicateGroup) {
  EXPECT_EQ(errorOf(R"(groups:
  - name: web
  - name: mobile
  - name: web
)"),
            "portico.yaml:4: groups[2].name: duplicate group name \"web\"");
}

TEST(GroupsTest, UnknownKey) {
  EXPECT_EQ(
      errorOf(R"(groups:
  - name: web
    plugins: [cors]
)"),
      "portico.yaml:3: groups[0].plugins: unknown key; allowed here: name, listeners, routes");
}

// Regression (fixed): the reference check of groups (config_references.cc) indexes the
// YAML list with the index into the parsed groups, which skips entries that were not mappings;
// after such an entry it looks at the wrong node: a scalar entry makes yaml-cpp throw
// BadSubscript out of parseConfig instead of reporting both errors.
TEST(GroupsTest, ReferenceErrorAfterAMalformedGroupEntry) {
  EXPECT_EQ(errorOf(R"(listeners:
  - { name: public, port: 8080 }
groups:
  - web
  - name: mobile
    listeners: [internal]
)"),
            "portico.yaml:4: groups[0]: must be a mapping (key: value)\n"
            "portico.yaml:6: groups[1].listeners: no listener named \"internal\"");
}

}  // namespace
}  // namespace portico::cp::model
