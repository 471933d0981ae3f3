// portico.yaml `routes`: matches, actions, rewrites, and each invalid value refused with its own
// message.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "control-plane/model/config_parser.h"
#include "tests/unit/control-plane/model/parser_test_util.h"

namespace portico::cp::model {
namespace {

using test::errorOf;
using test::parseOk;
using PathKind = RouteMatchConfig::PathKind;

TEST(RoutesTest, ParsesMatches) {
  PorticoConfig config = parseOk(R"(routes:
  - name: users
    match:
      hosts: [API.example.com, "*.example.com", "*"]
      path_prefix: [/api/users, /api/auth]
      methods: [get, POST]
      headers: { X-Api-Version: [v1, v2], x-debug: [], x-one: yes }
      query: { Region: eu, page: [] }
      case_sensitive: false
    service: user-service
  - name: exact
    match: { path: /health }
    service: s
  - name: regex
    match: { path_regex: "^/v[0-9]+/.*$" }
    service: s
  - name: template
    match: { path_template: "/users/{id}/orders/{order_id}" }
    service: s
)");
  ASSERT_EQ(config.routes.size(), 4u);
  const RouteMatchConfig& m = config.routes[0].match;
  EXPECT_EQ(m.hosts, (std::vector<std::string>{"api.example.com", "*.example.com", "*"}));
  EXPECT_EQ(m.path_kind, PathKind::kPrefix);
  EXPECT_EQ(m.paths, (std::vector<std::string>{"/api/users", "/api/auth"}));
  EXPECT_EQ(m.methods, (std::vector<std::string>{"GET", "POST"}));
  ASSERT_EQ(m.headers.size(), 3u);
  EXPECT_EQ(m.headers[0].name, "x-api-version");
  EXPECT_EQ(m.headers[0].values, (std::vector<std::string>{"v1", "v2"}));
  EXPECT_EQ(m.headers[1].name, "x-debug");
  EXPECT_TRUE(m.headers[1].values.empty());  // [] means: present
  EXPECT_EQ(m.headers[2].values, (std::vector<std::string>{"yes"}));
  ASSERT_EQ(m.query.size(), 2u);
  EXPECT_EQ(m.query[0].name, "Region");  // query names keep their case
  EXPECT_EQ(m.query[0].values, (std::vector<std::string>{"eu"}));
  EXPECT_EQ(m.query[1].name, "page");
  EXPECT_TRUE(m.query[1].values.empty());
  EXPECT_FALSE(m.case_sensitive);
  EXPECT_EQ(config.routes[0].service, "user-service");
  EXPECT_FALSE(config.routes[0].strip_prefix);  // the default

  EXPECT_EQ(config.routes[1].match.path_kind, PathKind::kExact);
  EXPECT_EQ(config.routes[1].match.paths, (std::vector<std::string>{"/health"}));
  EXPECT_EQ(config.routes[2].match.path_kind, PathKind::kRegex);
  EXPECT_EQ(config.routes[2].match.paths, (std::vector<std::string>{"^/v[0-9]+/.*$"}));
  EXPECT_EQ(config.routes[3].match.path_kind, PathKind::kTemplate);
  EXPECT_EQ(config.routes[3].match.paths,
            (std::vector<std::string>{"/users/{id}/orders/{order_id}"}));
  EXPECT_TRUE(config.routes[3].match.case_sensitive);
}

TEST(RoutesTest, ParsesActionsAndRewrites) {
  PorticoConfig config = parseOk(R"(routes:
  - name: canary
    match: { path_prefix: /api }
    split:
      - { service: stable, weight: 90 }
      - { service: canary, weight: 0 }
    strip_prefix: true
    timeout: 2s
    retries: { attempts: 1, retry_on: [5xx] }
  - name: rewritten
    match: { path_prefix: /old }
    service: s
    rewrite: { prefix: /new, host: internal.example.com }
  - name: regex-rewrite
    match: { path_regex: "^/api/(.*)$" }
    service: s
    rewrite: { regex: "^/api/(.*)$", substitution: "/\\1" }
  - name: health
    match: { path: /health }
    direct_response: { status: 503, content_type: application/json, body: '{"ok":false}' }
  - name: legacy
    match: { path_prefix: /legacy }
    redirect: { status: 308, scheme: https, host: new.example.com, path: /v2 }
  - name: bare-redirect
    match: { path_prefix: /bare }
    redirect: {}
  - name: bare-response
    match: { path: /ping }
    direct_response: { status: 204 }
)");
  ASSERT_EQ(config.routes.size(), 7u);
  const RouteConfig& canary = config.routes[0];
  EXPECT_TRUE(canary.service.empty());
  ASSERT_EQ(canary.split.size(), 2u);
  EXPECT_EQ(canary.split[0].service, "stable");
  EXPECT_EQ(canary.split[0].weight, 90u);
  EXPECT_EQ(canary.split[1].service, "canary");
  EXPECT_EQ(canary.split[1].weight, 0u);
  EXPECT_TRUE(canary.strip_prefix);
  EXPECT_EQ(canary.timeout, absl::Seconds(2));
  ASSERT_TRUE(canary.retries.has_value());
  EXPECT_EQ(canary.retries->attempts, 1u);
  EXPECT_EQ(canary.retries->retry_on, (std::vector<std::string>{"5xx"}));

  const RouteConfig& rewritten = config.routes[1];
  ASSERT_TRUE(rewritten.rewrite.has_value());
  EXPECT_EQ(rewritten.rewrite->prefix, "/new");
  EXPECT_FALSE(rewritten.rewrite->regex.has_value());
  EXPECT_EQ(rewritten.rewrite->host, "internal.example.com");
  EXPECT_FALSE(rewritten.timeout.has_value());

  const RouteConfig& regex = config.routes[2];
  ASSERT_TRUE(regex.rewrite.has_value());
  EXPECT_FALSE(regex.rewrite->prefix.has_value());
  EXPECT_EQ(regex.rewrite->regex, "^/api/(.*)$");
  EXPECT_EQ(regex.rewrite->substitution, "/\\1");

  const RouteConfig& health = config.routes[3];
  EXPECT_TRUE(health.service.empty());
  ASSERT_TRUE(health.direct_response.has_value());
  EXPECT_EQ(health.direct_response->status, 503u);
  EXPECT_EQ(health.direct_response->content_type, "application/json");
  EXPECT_EQ(health.direct_response->body, "{\"ok\":false}");

  const RouteConfig& legacy = config.routes[4];
  ASSERT_TRUE(legacy.redirect.has_value());
  EXPECT_EQ(legacy.redirect->status, 308u);
  EXPECT_EQ(legacy.redirect->scheme, "https");
  EXPECT_EQ(legacy.redirect->host, "new.example.com");
  EXPECT_EQ(legacy.redirect->path, "/v2");

  const RouteConfig& bare = config.routes[5];
  ASSERT_TRUE(bare.redirect.has_value());
  EXPECT_EQ(bare.redirect->status, 301u);
  EXPECT_FALSE(bare.redirect->scheme.has_value());
  EXPECT_FALSE(bare.redirect->host.has_value());
  EXPECT_FALSE(bare.redirect->path.has_value());

  ASSERT_TRUE(config.routes[6].direct_response.has_value());
  EXPECT_EQ(config.routes[6].direct_response->content_type, "text/plain");
  EXPECT_EQ(config.routes[6].direct_response->body, "");
}

TEST(RoutesTest, TwoPathKinds) {
  EXPECT_EQ(errorOf(R"(routes:
  - name: r
    match:
      path_prefix: /api
      path: /api/exact
    service: s
)"),
            "portico.yaml:4: routes[0].match: give only one of path_prefix, path, path_regex, "
            "path_template");
}

TEST(RoutesTest, BadRegex) {
  EXPECT_EQ(errorOf(R"(routes:
  - name: r
    match: { path_regex: "^/api/(v1" }
    service: s
)"),
            "portico.yaml:3: routes[0].match.path_regex: invalid RE2 regex: missing ): ^/api/(v1");
}

TEST(RoutesTest, BadTemplate) {
  EXPECT_EQ(errorOf(R"(routes:
  - name: r
    match: { path_template: "/users/{id" }
    service: s
)"),
            "portico.yaml:3: routes[0].match.path_template: \"/users/{id\" is not a template like "
            "/users/{id}: start with \"/\", each {name} a whole segment");
  EXPECT_EQ(
      errorOf(R"(routes:
  - name: r
    match: { path_template: "/users/x{id}" }
    service: s
)"),
      "portico.yaml:3: routes[0].match.path_template: \"/users/x{id}\" is not a template like "
      "/users/{id}: start with \"/\", each {name} a whole segment");
}

TEST(RoutesTest, ExactPathWithoutSlash) {
  EXPECT_EQ(errorOf(R"(routes:
  - name: r
    match: { path: health }
    service: s
)"),
            "portico.yaml:3: routes[0].match.path: \"health\" must start with \"/\"");
}

TEST(RoutesTest, UnknownMethod) {
  EXPECT_EQ(errorOf(R"(routes:
  - name: r
    match: { methods: [GET, fetch] }
    service: s
)"),
            "portico.yaml:3: routes[0].match.methods: \"FETCH\" is not an HTTP method");
}

TEST(RoutesTest, TwoActions) {
  EXPECT_EQ(errorOf(R"(routes:
  - name: r
    match: { path: /health }
    service: s
    direct_response: { status: 200 }
)"),
            "portico.yaml:2: routes[0]: give exactly one of service, split, direct_response, "
            "redirect");
}

TEST(RoutesTest, SplitWithAllZeroWeights) {
  EXPECT_EQ(errorOf(R"(routes:
  - name: r
    match: { path_prefix: /api }
    split:
      - { service: a, weight: 0 }
      - { service: b, weight: 0 }
)"),
            "portico.yaml:5: routes[0].split: weights must not all be 0");
}

TEST(RoutesTest, SplitTargetNeedsAWeight) {
  EXPECT_EQ(errorOf(R"(routes:
  - name: r
    match: { path_prefix: /api }
    split:
      - { service: a, weight: 1 }
      - { service: b }
)"),
            "portico.yaml:6: routes[0].split[1].weight: required");
}

TEST(RoutesTest, StripPrefixOnExactPath) {
  EXPECT_EQ(errorOf(R"(routes:
  - name: r
    match: { path: /health }
    service: s
    strip_prefix: true
)"),
            "portico.yaml:5: routes[0].strip_prefix: only applies to path_prefix routes");
}

TEST(RoutesTest, RewritePrefixAndRegex) {
  EXPECT_EQ(errorOf(R"(routes:
  - name: r
    match: { path_prefix: /api }
    service: s
    rewrite: { prefix: /v1, regex: "^/api(.*)$", substitution: "/v1\\1" }
)"),
            "portico.yaml:5: routes[0].rewrite: give prefix or regex, not both");
}

TEST(RoutesTest, RewriteRegexWithoutSubstitution) {
  EXPECT_EQ(errorOf(R"(routes:
  - name: r
    match: { path_prefix: /api }
    service: s
    rewrite: { regex: "^/api(.*)$" }
)"),
            "portico.yaml:5: routes[0].rewrite.substitution: required with regex");
}

TEST(RoutesTest, RewriteSubstitutionWithoutRegex) {
  EXPECT_EQ(errorOf(R"(routes:
  - name: r
    match: { path_prefix: /api }
    service: s
    rewrite: { substitution: /x }
)"),
            "portico.yaml:5: routes[0].rewrite.substitution: only applies with regex");
}

TEST(RoutesTest, RewritePrefixConflicts) {
  EXPECT_EQ(errorOf(R"(routes:
  - name: r
    match: { path: /api }
    service: s
    rewrite: { prefix: /v1 }
)"),
            "portico.yaml:5: routes[0].rewrite.prefix: only applies to path_prefix routes");
  EXPECT_EQ(errorOf(R"(routes:
  - name: r
    match: { path_prefix: /api }
    service: s
    strip_prefix: true
    rewrite: { prefix: /v1 }
)"),
            "portico.yaml:6: routes[0].rewrite.prefix: conflicts with strip_prefix");
}

TEST(RoutesTest, RedirectStatus305) {
  EXPECT_EQ(errorOf(R"(routes:
  - name: r
    match: { path_prefix: /old }
    redirect: { status: 305 }
)"),
            "portico.yaml:4: routes[0].redirect.status: must be 301, 302, 303, 307 or 308");
  EXPECT_EQ(errorOf(R"(routes:
  - name: r
    match: { path_prefix: /old }
    redirect: { status: 200 }
)"),
            "portico.yaml:4: routes[0].redirect.status: 200 is out of range (300..308)");
}

TEST(RoutesTest, RedirectScheme) {
  EXPECT_EQ(errorOf(R"(routes:
  - name: r
    match: { path_prefix: /old }
    redirect: { scheme: ftp }
)"),
            "portico.yaml:4: routes[0].redirect.scheme: \"ftp\" is not allowed; use one of: http, "
            "https");
}

TEST(RoutesTest, TimeoutOnDirectResponse) {
  EXPECT_EQ(errorOf(R"(routes:
  - name: r
    match: { path: /health }
    direct_response: { status: 200 }
    timeout: 5s
)"),
            "portico.yaml:2: routes[0]: strip_prefix, rewrite, timeout and retries only apply to "
            "routes with service or split");
}

TEST(RoutesTest, RetriesOnRedirect) {
  EXPECT_EQ(errorOf(R"(routes:
  - name: r
    match: { path_prefix: /old }
    redirect: { path: /new }
    retries: { attempts: 1 }
)"),
            "portico.yaml:2: routes[0]: strip_prefix, rewrite, timeout and retries only apply to "
            "routes with service or split");
}

TEST(RoutesTest, DirectResponseStatus) {
  EXPECT_EQ(errorOf(R"(routes:
  - name: r
    match: { path: /x }
    direct_response: { body: hi }
)"),
            "portico.yaml:4: routes[0].direct_response.status: required");
  EXPECT_EQ(errorOf(R"(routes:
  - name: r
    match: { path: /x }
    direct_response: { status: 600 }
)"),
            "portico.yaml:4: routes[0].direct_response.status: 600 is out of range (100..599)");
}

TEST(RoutesTest, BadHostPattern) {
  EXPECT_EQ(errorOf(R"(routes:
  - name: r
    match: { hosts: [api.example.com, "a.*.com"] }
    service: s
)"),
            "portico.yaml:3: routes[0].match.hosts: \"a.*.com\" is not a host name, \"*.suffix\" "
            "or \"*\"");
  EXPECT_EQ(errorOf(R"(routes:
  - name: r
    match: { hosts: "*example.com" }
    service: s
)"),
            "portico.yaml:3: routes[0].match.hosts: \"*example.com\" is not a host name, "
            "\"*.suffix\" or \"*\"");
}

TEST(RoutesTest, HeaderMatcherShape) {
  EXPECT_EQ(errorOf(R"(routes:
  - name: r
    match:
      headers: [x-a]
    service: s
)"),
            "portico.yaml:4: routes[0].match.headers: must be a mapping of names to a value or a "
            "list of values");
  EXPECT_EQ(errorOf(R"(routes:
  - name: r
    match:
      query: { page: { a: b } }
    service: s
)"),
            "portico.yaml:4: routes[0].match.query.page: must be a value or a list of values ([] "
            "means: present)");
}

TEST(RoutesTest, UnknownKeyInRewrite) {
  EXPECT_EQ(errorOf(R"(routes:
  - name: r
    match: { path_prefix: /api }
    service: s
    rewrite: { path: /x }
)"),
            "portico.yaml:5: routes[0].rewrite.path: unknown key; allowed here: prefix, regex, "
            "substitution, host");
}

// Regression (fixed): validHost (route_parser.cc) only checks where a "*" is, so a host
// that is not a host name at all (a URL, a name with a space) is accepted, and the route can never
// match; the parser's own message says what a host must be.
TEST(RoutesTest, HostThatIsNotAHostNameIsRefused) {
  EXPECT_EQ(errorOf(R"(routes:
  - name: r
    match: { hosts: ["https://api.example.com/"] }
    service: s
)"),
            "portico.yaml:3: routes[0].match.hosts: \"https://api.example.com/\" is not a host "
            "name, \"*.suffix\" or \"*\"");
  EXPECT_EQ(errorOf(R"(routes:
  - name: r
    match: { hosts: ["api example.com"] }
    service: s
)"),
            "portico.yaml:3: routes[0].match.hosts: \"api example.com\" is not a host name, "
            "\"*.suffix\" or \"*\"");
}

// Regression (fixed): `split: []` counts as the route's one action but yields no target,
// so the route is accepted with no service, split, direct_response or redirect at all.
TEST(RoutesTest, EmptySplitIsRefused) {
  auto parsed = parseConfig(R"(routes:
  - name: r
    match: { path_prefix: /api }
    split: []
)",
                            test::kFile);
  ASSERT_FALSE(parsed.ok()) << "a route with `split: []` has no destination";
  EXPECT_TRUE(absl::StartsWith(parsed.status().message(), "portico.yaml:4: routes[0].split: "))
      << parsed.status();
}

}  // namespace
}  // namespace portico::cp::model
