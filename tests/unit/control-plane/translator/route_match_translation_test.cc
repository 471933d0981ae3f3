// portico.yaml `routes[].match` → RouteConfiguration virtual hosts and RouteMatch.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <re2/re2.h>

#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_replace.h"
#include "common/strings.h"
#include "control-plane/translator/route_builder.h"
#include "tests/unit/control-plane/translator/translator_test_util.h"

namespace portico::cp::translator::test {
namespace {

using envoy::config::route::v3::HeaderMatcher;
using ::testing::ElementsAre;

RouteConfiguration routeTable(const std::string& routes_yaml) {
  return routesOf(snapshotOf(cat(kListener, "routes:\n", routes_yaml)));
}

TEST(RouteMatchTranslationTest, VirtualHostsKeepFileOrderFirstMatch) {
  const RouteConfiguration config = routeTable(
      "  - { name: A, match: { hosts: [api.example.com], path_prefix: /x }, service: a }\n"
      "  - { name: B, match: { hosts: [\"*.example.com\"], path_prefix: /x }, service: b }\n"
      "  - { name: C, match: { path_prefix: /x }, service: c }\n");
  EXPECT_EQ(config.name(), "public");
  ASSERT_EQ(config.virtual_hosts_size(), 3);
  const VirtualHost* api = vhostNamed(config, "api.example.com");
  const VirtualHost* wildcard = vhostNamed(config, "*.example.com");
  const VirtualHost* any = vhostNamed(config, "*");
  ASSERT_NE(api, nullptr);
  ASSERT_NE(wildcard, nullptr);
  ASSERT_NE(any, nullptr);
  EXPECT_THAT(routeNames(*api), ElementsAre("A", "B", "C"));
  EXPECT_THAT(routeNames(*wildcard), ElementsAre("B", "C"));
  EXPECT_THAT(routeNames(*any), ElementsAre("C"));
  EXPECT_EQ(api->routes(0).route().cluster(), "a");
  EXPECT_EQ(api->routes(1).route().cluster(), "b");
  EXPECT_EQ(api->routes(2).route().cluster(), "c");
}

TEST(RouteMatchTranslationTest, HostlessRouteBeforeHostRouteStaysFirstInEveryVirtualHost) {
  const RouteConfiguration config = routeTable(
      "  - { name: first, match: { path_prefix: /x }, service: a }\n"
      "  - { name: second, match: { hosts: [api.example.com], path_prefix: /x }, service: b }\n");
  const VirtualHost* api = vhostNamed(config, "api.example.com");
  ASSERT_NE(api, nullptr);
  EXPECT_THAT(routeNames(*api), ElementsAre("first", "second"));
  EXPECT_THAT(routeNames(catchAll(config)), ElementsAre("first"));
}

TEST(RouteMatchTranslationTest, StarHostIsTheCatchAll) {
  const RouteConfiguration config =
      routeTable("  - { name: r, match: { hosts: [\"*\"], path_prefix: /x }, service: a }\n");
  ASSERT_EQ(config.virtual_hosts_size(), 1);
  EXPECT_THAT(routeNames(catchAll(config)), ElementsAre("r"));
}

TEST(RouteMatchTranslationTest, EachPrefixIsOneEnvoyRoute) {
  const RouteConfiguration config =
      routeTable("  - { name: r, match: { path_prefix: [/a, /b/, /c] }, service: s }\n");
  const VirtualHost vhost = catchAll(config);
  ASSERT_EQ(vhost.routes_size(), 3);
  EXPECT_EQ(vhost.routes(0).match().prefix(), "/a");
  EXPECT_EQ(vhost.routes(1).match().prefix(), "/b/");
  EXPECT_EQ(vhost.routes(2).match().prefix(), "/c");
  for (const Route& route : vhost.routes()) {
    EXPECT_EQ(route.name(), "r");
    EXPECT_EQ(route.route().cluster(), "s");
  }
}

TEST(RouteMatchTranslationTest, NoPathMeansPrefixSlash) {
  const Route route =
      routeNamed(routeTable("  - { name: r, match: { methods: [GET] }, service: s }\n"), "r");
  EXPECT_EQ(route.match().prefix(), "/");
}

TEST(RouteMatchTranslationTest, ExactPath) {
  const Route route =
      routeNamed(routeTable("  - { name: r, match: { path: /health }, service: s }\n"), "r");
  EXPECT_EQ(route.match().path(), "/health");
}

TEST(RouteMatchTranslationTest, RegexPathIsSafeRegex) {
  const Route route = routeNamed(
      routeTable("  - { name: r, match: { path_regex: \"^/v[0-9]+/.*$\" }, service: s }\n"), "r");
  ASSERT_TRUE(route.match().has_safe_regex());
  EXPECT_EQ(route.match().safe_regex().regex(), "^/v[0-9]+/.*$");
}

TEST(RouteMatchTranslationTest, TemplateBecomesSegmentRegex) {
  // RE2::QuoteMeta may escape the literal slashes; the pattern is the same.
  EXPECT_EQ(absl::StrReplaceAll(templateToRegex("/users/{id}"), {{"\\/", "/"}}), "/users/[^/]+");
  const Route route = routeNamed(
      routeTable(
          "  - { name: r, match: { path_template: \"/users/{id}/orders/{oid}\" }, service: s }\n"),
      "r");
  ASSERT_TRUE(route.match().has_safe_regex());
  const RE2 regex(route.match().safe_regex().regex());
  ASSERT_TRUE(regex.ok()) << route.match().safe_regex().regex();
  EXPECT_TRUE(RE2::FullMatch("/users/42/orders/7", regex));
  EXPECT_FALSE(RE2::FullMatch("/users/42/x/orders/7", regex));
  EXPECT_FALSE(RE2::FullMatch("/users//orders/7", regex));
  EXPECT_FALSE(RE2::FullMatch("/users/42/orders/7/more", regex));
}

TEST(RouteMatchTranslationTest, TemplateLiteralPartsAreQuoted) {
  const Route route = routeNamed(
      routeTable("  - { name: r, match: { path_template: \"/v1.0/{id}\" }, service: s }\n"), "r");
  const RE2 regex(route.match().safe_regex().regex());
  EXPECT_TRUE(RE2::FullMatch("/v1.0/abc", regex));
  EXPECT_FALSE(RE2::FullMatch("/v1x0/abc", regex));
}

TEST(RouteMatchTranslationTest, CaseInsensitivePath) {
  const Route insensitive = routeNamed(
      routeTable(
          "  - { name: r, match: { path_prefix: /Api, case_sensitive: false }, service: s }\n"),
      "r");
  ASSERT_TRUE(insensitive.match().has_case_sensitive());
  EXPECT_FALSE(insensitive.match().case_sensitive().value());
  const Route sensitive =
      routeNamed(routeTable("  - { name: r, match: { path_prefix: /Api }, service: s }\n"), "r");
  EXPECT_FALSE(sensitive.match().has_case_sensitive() &&
               !sensitive.match().case_sensitive().value());
}

TEST(RouteMatchTranslationTest, OneMethodIsExactMatch) {
  const Route route = routeNamed(
      routeTable("  - { name: r, match: { path_prefix: /x, methods: [GET] }, service: s }\n"), "r");
  ASSERT_EQ(route.match().headers_size(), 1);
  const HeaderMatcher& method = route.match().headers(0);
  EXPECT_EQ(method.name(), ":method");
  EXPECT_EQ(method.header_match_specifier_case(), HeaderMatcher::kExactMatch);
  EXPECT_EQ(method.exact_match(), "GET");
}

TEST(RouteMatchTranslationTest, SeveralMethodsAreARegexAlternationNeverStringMatch) {
  const Route route = routeNamed(routeTable("  - { name: r, match: { path_prefix: /x, methods: "
                                            "[GET, POST, DELETE] }, service: s }\n"),
                                 "r");
  ASSERT_EQ(route.match().headers_size(), 1);
  const HeaderMatcher& method = route.match().headers(0);
  EXPECT_EQ(method.name(), ":method");
  ASSERT_EQ(method.header_match_specifier_case(), HeaderMatcher::kSafeRegexMatch);
  const RE2 regex(method.safe_regex_match().regex());
  for (const char* ok : {"GET", "POST", "DELETE"}) EXPECT_TRUE(RE2::FullMatch(ok, regex)) << ok;
  for (const char* no : {"PUT", "GETX", "PATCH", ""}) EXPECT_FALSE(RE2::FullMatch(no, regex)) << no;
}

TEST(RouteMatchTranslationTest, HeaderMatchers) {
  const Route route =
      routeNamed(routeTable("  - name: r\n"
                            "    match:\n"
                            "      path_prefix: /x\n"
                            "      headers: { x-one: v1, x-any: [a.b, c], x-present: [] }\n"
                            "    service: s\n"),
                 "r");
  std::map<std::string, HeaderMatcher> by_name;
  for (const HeaderMatcher& h : route.match().headers()) by_name[h.name()] = h;
  ASSERT_EQ(by_name.size(), 3u);
  EXPECT_EQ(by_name["x-one"].exact_match(), "v1");
  ASSERT_EQ(by_name["x-any"].header_match_specifier_case(), HeaderMatcher::kSafeRegexMatch);
  const RE2 any(by_name["x-any"].safe_regex_match().regex());
  EXPECT_TRUE(RE2::FullMatch("a.b", any));
  EXPECT_TRUE(RE2::FullMatch("c", any));
  EXPECT_FALSE(RE2::FullMatch("axb", any));  // the value's dot is literal
  EXPECT_EQ(by_name["x-present"].header_match_specifier_case(), HeaderMatcher::kPresentMatch);
  EXPECT_TRUE(by_name["x-present"].present_match());
  for (const HeaderMatcher& h : route.match().headers()) {
    EXPECT_NE(h.header_match_specifier_case(), HeaderMatcher::kStringMatch) << h.name();
  }
}

TEST(RouteMatchTranslationTest, QueryMatchers) {
  const Route route =
      routeNamed(routeTable("  - name: r\n"
                            "    match:\n"
                            "      path_prefix: /x\n"
                            "      query: { region: eu, tier: [gold, silver], debug: [] }\n"
                            "    service: s\n"),
                 "r");
  std::map<std::string, envoy::config::route::v3::QueryParameterMatcher> by_name;
  for (const auto& q : route.match().query_parameters()) by_name[q.name()] = q;
  ASSERT_EQ(by_name.size(), 3u);
  EXPECT_EQ(by_name["region"].string_match().exact(), "eu");
  const RE2 tier(by_name["tier"].string_match().safe_regex().regex());
  EXPECT_TRUE(RE2::FullMatch("gold", tier));
  EXPECT_TRUE(RE2::FullMatch("silver", tier));
  EXPECT_FALSE(RE2::FullMatch("bronze", tier));
  EXPECT_TRUE(by_name["debug"].present_match());
}

TEST(RouteMatchTranslationTest, MatchersAreRepeatedOnEveryPrefix) {
  const RouteConfiguration config = routeTable(
      "  - { name: r, match: { path_prefix: [/a, /b], methods: [PUT], headers: { x-v: [] } }, "
      "service: s }\n");
  const VirtualHost vhost = catchAll(config);
  ASSERT_EQ(vhost.routes_size(), 2);
  for (const Route& route : vhost.routes()) {
    ASSERT_EQ(route.match().headers_size(), 2) << route.match().prefix();
    EXPECT_EQ(route.match().headers(0).exact_match(), "PUT");
    EXPECT_TRUE(route.match().headers(1).present_match());
  }
}

}  // namespace
}  // namespace portico::cp::translator::test
