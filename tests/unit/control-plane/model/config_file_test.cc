// Whole portico.yaml files: the minimal file, empty files, YAML syntax errors, and files with
// several errors in several sections (all reported).

#include <gtest/gtest.h>

#include <string>

#include "absl/strings/match.h"
#include "common/strings.h"
#include "control-plane/model/config_parser.h"
#include "tests/unit/control-plane/model/parser_test_util.h"

namespace portico::cp::model {
namespace {

using test::errorOf;
using test::parseOk;

TEST(ConfigFileTest, OnlyVersion) {
  PorticoConfig config = parseOk("version: 1\n");
  EXPECT_EQ(config.version, 1);
  EXPECT_EQ(config.source, "portico.yaml");
  EXPECT_TRUE(config.listeners.empty());
  EXPECT_TRUE(config.groups.empty());
  EXPECT_TRUE(config.services.empty());
  EXPECT_TRUE(config.routes.empty());
  EXPECT_TRUE(config.plugins.empty());
  EXPECT_TRUE(config.consumers.empty());
  EXPECT_EQ(config.request_id.header, "x-request-id");
  EXPECT_TRUE(config.request_id.response);
  EXPECT_FALSE(config.access_log.enabled);  // off unless configured
}

TEST(ConfigFileTest, EmptyFile) {
  EXPECT_EQ(errorOf(""), "portico.yaml: the file is empty");
  EXPECT_EQ(errorOf("\n\n"), "portico.yaml: the file is empty");
  EXPECT_EQ(errorOf("# nothing but comments\n# here\n"), "portico.yaml: the file is empty");
}

TEST(ConfigFileTest, YamlSyntaxError) {
  EXPECT_EQ(errorOf("version: 1\nroutes: [\n  {name: a}\nplugins: []\n"),
            "portico.yaml:4: YAML syntax error: end of sequence flow not found");
  EXPECT_EQ(errorOf("services:\n  - name: a\n   lb: random\n"),
            "portico.yaml:3: YAML syntax error: end of sequence not found");
  EXPECT_EQ(errorOf("version: 1\nlisteners:\n  - name: a\n  port: 80\n"),
            "portico.yaml:4: YAML syntax error: end of map not found");
}

TEST(ConfigFileTest, RequestIdAndAccessLog) {
  PorticoConfig config = parseOk(R"(request_id: { header: X-Trace-Id, response: false }
access_log: { path: /var/log/portico.log }
)");
  EXPECT_EQ(config.request_id.header, "x-trace-id");
  EXPECT_FALSE(config.request_id.response);
  EXPECT_TRUE(config.access_log.enabled);
  EXPECT_EQ(config.access_log.format, "json");
  EXPECT_EQ(config.access_log.path, "/var/log/portico.log");
  EXPECT_FALSE(parseOk("access_log: { enabled: false }\n").access_log.enabled);
  EXPECT_EQ(errorOf("access_log: { format: text }\n"),
            "portico.yaml:1: access_log.format: \"text\" is not allowed; use one of: json");
  EXPECT_EQ(errorOf("access_log: { path: \"\" }\n"),
            "portico.yaml:1: access_log.path: must not be empty (stdout, stderr or a file)");
}

// The request id header must be a header name the gateway does not manage itself.
TEST(ConfigFileTest, RequestIdHeaderMustBeUsable) {
  EXPECT_EQ(parseOk("request_id: { header: X-Correlation_ID.v2 }\n").request_id.header,
            "x-correlation_id.v2");
  const std::string tail =
      "\" cannot carry request ids: use an HTTP header name of at most 64 characters that the "
      "gateway does not manage itself (not Host, Content-Length, X-Forwarded-For, x-portico-*, "
      "x-user-*, ...)";
  EXPECT_EQ(errorOf("request_id: { header: \"x trace\" }\n"),
            "portico.yaml:1: request_id.header: \"x trace" + tail);
  EXPECT_EQ(errorOf("request_id: { header: \"\" }\n"), "portico.yaml:1: request_id.header: \"" + tail);
  EXPECT_EQ(errorOf("request_id: { header: Host }\n"), "portico.yaml:1: request_id.header: \"Host" + tail);
  EXPECT_EQ(errorOf("request_id: { header: x-portico-id }\n"),
            "portico.yaml:1: request_id.header: \"x-portico-id" + tail);
  EXPECT_EQ(errorOf(cat("request_id: { header: x-", std::string(63, 'a'), " }\n")),
            cat("portico.yaml:1: request_id.header: \"x-", std::string(63, 'a'), tail));
}

TEST(ConfigFileTest, ListenerTls) {
  EXPECT_EQ(errorOf(R"(listeners:
  - name: tls
    port: 8443
    tls: { min_version: "1.1", certificates: [{ cert: /a.crt, key: /a.key }] }
)"),
            "portico.yaml:4: listeners[0].tls.min_version: \"1.1\" is not allowed; use one of: "
            "1.2, 1.3");
  EXPECT_EQ(errorOf(R"(listeners:
  - name: tls
    port: 8443
    tls: { client_ca: /ca.pem }
)"),
            "portico.yaml:4: listeners[0].tls.certificates: required: at least one {cert, key}");
}

// The examples of docs/config.md "Errors look like this", reproduced.
TEST(ConfigFileTest, DocumentedErrorExamples) {
  EXPECT_EQ(errorOf(R"(version: 1
listners: []
)"),
            "portico.yaml:2: listners: unknown key; allowed here: version, request_id, access_log, "
            "listeners, groups, services, routes, plugins, consumers");
  EXPECT_EQ(errorOf(R"(routes:
  - name: products
    match: { path_prefix: /products }
    service: products
plugins:
  - name: rate-limit
    route: prodcts
    config: { limit: 10 }
)"),
            "portico.yaml:6: plugin \"rate-limit\": no route named \"prodcts\"");
}

// Errors of every section, each reported, in file order.
TEST(ConfigFileTest, SeveralErrorsInFileOrder) {
  EXPECT_EQ(errorOf(R"(version: 1
listeners:
  - name: a
    port: 0
services:
  - name: s
    lb: fancy
routes:
  - name: r
    match: { path: nope }
    service: s
  - name: r2
    match: { path_template: "/x/{id" }
    service: s
plugins:
  - name: rate-limit
    config: { limit: 0 }
  - name: cors
    config: { origins: ["*"], credentials: true }
consumers:
  - name: c
    api_keys: [secret]
)"),
            "portico.yaml:4: listeners[0].port: 0 is out of range (1..65535)\n"
            "portico.yaml:7: services[0].lb: \"fancy\" is not allowed; use one of: round_robin, "
            "least_request, random, ring_hash, maglev\n"
            "portico.yaml:10: routes[0].match.path: \"nope\" must start with \"/\"\n"
            "portico.yaml:13: routes[1].match.path_template: \"/x/{id\" is not a template like "
            "/users/{id}: start with \"/\", each {name} a whole segment\n"
            "portico.yaml:17: plugins[0].config.limit: 0 is out of range (1..1099511627776)\n"
            "portico.yaml:19: plugins[1].config.origins: \"*\" cannot be combined with "
            "credentials: true\n"
            "portico.yaml:22: consumers[0].api_keys: keys are given as \"sha256:<64 hex digits>\" "
            "(porticoctl hash-key KEY prints one), never in plaintext");
}

// Several errors within one service and one route: all reported (unknown keys first, then the
// values, in the order the parser reads the keys).
TEST(ConfigFileTest, SeveralErrorsInOneEntry) {
  EXPECT_EQ(errorOf(R"(services:
  - name: s
    lb: ring_hash
    connect_timeout: 5x
    retries: { attempts: 11, retry_on: [bogus] }
    panic_threshold: 150%
routes:
  - name: r
    match: { path: /x, methods: [FETCH], hosts: ["a.*.com"] }
    service: s
    strip_prefix: true
    timout: 1s
)"),
            "portico.yaml:2: services[0].hash_on: required when lb is ring_hash or maglev\n"
            "portico.yaml:4: services[0].connect_timeout: missing or unknown unit in duration "
            "\"5x\"; units are ns, us, ms, s, m, h\n"
            "portico.yaml:5: services[0].retries.attempts: 11 is out of range (0..10)\n"
            "portico.yaml:5: services[0].retries.retry_on: \"bogus\" is not a retry condition; use "
            "connect-failure, reset, refused-stream, 5xx, gateway-error, retriable-4xx or a status "
            "code\n"
            "portico.yaml:6: services[0].panic_threshold: \"150%\" is not a percentage (0%..100%)\n"
            "portico.yaml:12: routes[0].timout: unknown key; allowed here: name, match, service, "
            "split, direct_response, redirect, strip_prefix, rewrite, timeout, retries\n"
            "portico.yaml:9: routes[0].match.hosts: \"a.*.com\" is not a host name, \"*.suffix\" "
            "or \"*\"\n"
            "portico.yaml:9: routes[0].match.methods: \"FETCH\" is not an HTTP method\n"
            "portico.yaml:11: routes[0].strip_prefix: only applies to path_prefix routes");
}

// Names that must exist elsewhere in the file are checked once every section is read: those
// errors come after all the others, groups before plugins.
TEST(ConfigFileTest, ReferenceErrorsComeLast) {
  EXPECT_EQ(errorOf(R"(groups:
  - name: g
    listeners: [nope]
plugins:
  - name: key-auth
    route: missing
routes:
  - name: r
    match: { path_prefix: /x }
    service: s
    timeout: 5x
)"),
            "portico.yaml:11: routes[0].timeout: missing or unknown unit in duration \"5x\"; units "
            "are ns, us, ms, s, m, h\n"
            "portico.yaml:3: groups[0].listeners: no listener named \"nope\"\n"
            "portico.yaml:5: plugin \"key-auth\": no route named \"missing\"");
}

// Regression (fixed): yaml-cpp accepts a key twice in one mapping and the parser reads
// only the first, so a second `plugins:` section (or a repeated `limit:`) is silently ignored:
// exactly what "unknown keys are errors, so a typo can never silently disable a setting" is meant
// to prevent. The file must be refused, the error on the repeated key's line.
TEST(ConfigFileTest, DuplicateKeyIsRefused) {
  auto parsed = parseConfig(R"(version: 1
plugins:
  - name: cors
    config: { origins: [https://app.example.com] }
plugins:
  - name: rate-limit
    config: { limit: 10 }
)",
                            test::kFile);
  ASSERT_FALSE(parsed.ok()) << "the second `plugins:` section is silently dropped";
  EXPECT_TRUE(absl::StartsWith(parsed.status().message(), "portico.yaml:5: plugins"))
      << parsed.status();

  auto repeated = parseConfig(R"(plugins:
  - name: rate-limit
    config:
      limit: 1000
      limit: 10
)",
                              test::kFile);
  ASSERT_FALSE(repeated.ok()) << "limit: 10 is silently dropped";
  EXPECT_TRUE(
      absl::StartsWith(repeated.status().message(), "portico.yaml:5: plugins[0].config.limit"))
      << repeated.status();
}

}  // namespace
}  // namespace portico::cp::model
