#include "data-plane/router/route_table.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace portico::dp::router {
namespace {

VirtualHost vhost(std::string name, std::vector<std::string> domains, std::vector<Route> routes = {}) {
  VirtualHost out;
  out.name = std::move(name);
  out.domains = std::move(domains);
  out.routes = std::move(routes);
  return out;
}

Route prefixRoute(std::string name, std::string prefix, bool case_sensitive = true) {
  Route route;
  route.name = std::move(name);
  route.path_match = Route::PathMatch::kPrefix;
  route.path = std::move(prefix);
  route.case_sensitive = case_sensitive;
  return route;
}

Route exactRoute(std::string name, std::string path, bool case_sensitive = true) {
  Route route;
  route.name = std::move(name);
  route.path_match = Route::PathMatch::kExact;
  route.path = std::move(path);
  route.case_sensitive = case_sensitive;
  return route;
}

// As the snapshot compiler builds it: case sensitivity is an RE2 option.
Route regexRoute(std::string name, const std::string& pattern, bool case_sensitive = true) {
  re2::RE2::Options options;
  options.set_case_sensitive(case_sensitive);
  Route route;
  route.name = std::move(name);
  route.path_match = Route::PathMatch::kRegex;
  route.regex = std::make_shared<re2::RE2>(pattern, options);
  route.case_sensitive = case_sensitive;
  return route;
}

std::string vhostName(const RouteTable& table, std::string_view host) {
  const VirtualHost* found = table.findVirtualHost(host);
  return found == nullptr ? "<none>" : found->name;
}

// ---- findVirtualHost ----

TEST(RouteTableTest, DomainPrecedenceExactThenSuffixThenPrefixThenAny) {
  // Declared in the reverse of their precedence, so order in the list cannot be what decides.
  RouteTable table("rt", {vhost("any", {"*"}), vhost("prefix", {"api.*"}), vhost("suffix", {"*.example.com"}),
                          vhost("exact", {"api.example.com"})});
  EXPECT_EQ(vhostName(table, "api.example.com"), "exact");
  EXPECT_EQ(vhostName(table, "www.example.com"), "suffix");
  EXPECT_EQ(vhostName(table, "api.example.org"), "prefix");
  EXPECT_EQ(vhostName(table, "other.net"), "any");
}

TEST(RouteTableTest, SuffixBeatsPrefixEvenWhenPrefixIsLonger) {
  RouteTable table("rt", {vhost("prefix", {"api.example.co*"}), vhost("suffix", {"*.com"})});
  EXPECT_EQ(vhostName(table, "api.example.com"), "suffix");
}

TEST(RouteTableTest, LongestSuffixWins) {
  RouteTable table("rt", {vhost("short", {"*.com"}), vhost("long", {"*.example.com"}), vhost("mid", {"*ample.com"})});
  EXPECT_EQ(vhostName(table, "www.example.com"), "long");
  EXPECT_EQ(vhostName(table, "sample.com"), "mid");
  EXPECT_EQ(vhostName(table, "foo.com"), "short");
}

TEST(RouteTableTest, LongestPrefixWins) {
  RouteTable table("rt", {vhost("short", {"api*"}), vhost("long", {"api.example.*"})});
  EXPECT_EQ(vhostName(table, "api.example.org"), "long");
  EXPECT_EQ(vhostName(table, "api-v2.test"), "short");
}

TEST(RouteTableTest, HostMatchingIsCaseInsensitive) {
  RouteTable table("rt", {vhost("exact", {"api.example.com"}), vhost("suffix", {"*.foo.com"}),
                          vhost("prefix", {"bar.*"})});
  EXPECT_EQ(vhostName(table, "API.Example.COM"), "exact");
  EXPECT_EQ(vhostName(table, "WWW.FOO.COM"), "suffix");
  EXPECT_EQ(vhostName(table, "BAR.net"), "prefix");
}

TEST(RouteTableTest, PortIsIgnored) {
  RouteTable table("rt", {vhost("exact", {"api.example.com"}), vhost("suffix", {"*.foo.com"})});
  EXPECT_EQ(vhostName(table, "api.example.com:8080"), "exact");
  EXPECT_EQ(vhostName(table, "www.foo.com:443"), "suffix");
}

TEST(RouteTableTest, BracketedIpv6HostWithAndWithoutPort) {
  RouteTable table("rt", {vhost("v6", {"[::1]"}), vhost("v4", {"127.0.0.1"})});
  EXPECT_EQ(vhostName(table, "[::1]:8080"), "v6");
  EXPECT_EQ(vhostName(table, "[::1]"), "v6");
  EXPECT_EQ(vhostName(table, "127.0.0.1:80"), "v4");
  EXPECT_EQ(vhostName(table, "[::2]:8080"), "<none>");
}

TEST(RouteTableTest, WildcardMustMatchAtLeastOneCharacter) {
  RouteTable table("rt", {vhost("suffix", {"*.foo.com"}), vhost("prefix", {"foo.com.*"})});
  EXPECT_EQ(vhostName(table, "foo.com"), "<none>");
  EXPECT_EQ(vhostName(table, ".foo.com"), "<none>") << "'*' needs one character before \".foo.com\"";
  EXPECT_EQ(vhostName(table, "a.foo.com"), "suffix");
  EXPECT_EQ(vhostName(table, "foo.com."), "<none>");
  EXPECT_EQ(vhostName(table, "foo.com.x"), "prefix");
}

TEST(RouteTableTest, NothingMatchesWithoutCatchAll) {
  RouteTable table("rt", {vhost("exact", {"a.test"})});
  EXPECT_EQ(table.findVirtualHost("b.test"), nullptr);
  EXPECT_EQ(table.match("b.test", "/"), nullptr);
}

TEST(RouteTableTest, EmptyTableMatchesNothing) {
  RouteTable table("rt", {});
  EXPECT_EQ(table.findVirtualHost("a.test"), nullptr);
  EXPECT_EQ(table.name(), "rt");
}

TEST(RouteTableTest, SeveralDomainsOnOneVirtualHost) {
  RouteTable table("rt", {vhost("multi", {"a.test", "*.b.test"}), vhost("any", {"*"})});
  EXPECT_EQ(vhostName(table, "a.test"), "multi");
  EXPECT_EQ(vhostName(table, "x.b.test"), "multi");
  EXPECT_EQ(vhostName(table, "c.test"), "any");
}

// ---- Route::matchesPath ----

TEST(RouteMatchTest, Prefix) {
  Route route = prefixRoute("r", "/api");
  EXPECT_TRUE(route.matchesPath("/api"));
  EXPECT_TRUE(route.matchesPath("/api/v1"));
  EXPECT_TRUE(route.matchesPath("/apis"));  // a prefix is a string prefix, not a path segment
  EXPECT_FALSE(route.matchesPath("/ap"));
  EXPECT_FALSE(route.matchesPath("/API"));
  EXPECT_FALSE(route.matchesPath(""));
}

TEST(RouteMatchTest, EmptyPrefixMatchesEverything) {
  Route route = prefixRoute("r", "");
  EXPECT_TRUE(route.matchesPath("/"));
  EXPECT_TRUE(route.matchesPath(""));
  EXPECT_TRUE(route.matchesPath("/anything"));
}

TEST(RouteMatchTest, PrefixCaseInsensitive) {
  Route route = prefixRoute("r", "/Api", /*case_sensitive=*/false);
  EXPECT_TRUE(route.matchesPath("/api/x"));
  EXPECT_TRUE(route.matchesPath("/API"));
  EXPECT_FALSE(route.matchesPath("/ap"));
}

TEST(RouteMatchTest, Exact) {
  Route route = exactRoute("r", "/health");
  EXPECT_TRUE(route.matchesPath("/health"));
  EXPECT_FALSE(route.matchesPath("/health/"));
  EXPECT_FALSE(route.matchesPath("/healt"));
  EXPECT_FALSE(route.matchesPath("/Health"));
}

TEST(RouteMatchTest, ExactCaseInsensitive) {
  Route route = exactRoute("r", "/Health", /*case_sensitive=*/false);
  EXPECT_TRUE(route.matchesPath("/health"));
  EXPECT_TRUE(route.matchesPath("/HEALTH"));
  EXPECT_FALSE(route.matchesPath("/health/"));
}

TEST(RouteMatchTest, RegexMustMatchTheWholePath) {
  Route route = regexRoute("r", "/users/[0-9]+");
  EXPECT_TRUE(route.matchesPath("/users/42"));
  EXPECT_FALSE(route.matchesPath("/users/42/orders"));
  EXPECT_FALSE(route.matchesPath("/v1/users/42"));
  EXPECT_FALSE(route.matchesPath("/users/"));
  EXPECT_FALSE(route.matchesPath("/USERS/42"));
}

TEST(RouteMatchTest, RegexCaseInsensitive) {
  Route route = regexRoute("r", "/users/[a-z]+", /*case_sensitive=*/false);
  EXPECT_TRUE(route.matchesPath("/USERS/Bob"));
  EXPECT_FALSE(route.matchesPath("/users/bob/x"));
}

// ---- RouteTable::match ----

TEST(RouteTableTest, FirstMatchingRouteWinsInOrder) {
  RouteTable table("rt", {vhost("any", {"*"},
                                {prefixRoute("broad", "/api"), exactRoute("exact", "/api/users"),
                                 prefixRoute("root", "/")})});
  const Route* route = table.match("h", "/api/users");
  ASSERT_NE(route, nullptr);
  EXPECT_EQ(route->name, "broad") << "an earlier broader route shadows a later exact one";
  route = table.match("h", "/other");
  ASSERT_NE(route, nullptr);
  EXPECT_EQ(route->name, "root");
}

TEST(RouteTableTest, MatchUsesTheChosenVirtualHostOnly) {
  RouteTable table("rt", {vhost("a", {"a.test"}, {prefixRoute("a-api", "/api")}),
                          vhost("any", {"*"}, {prefixRoute("fallback", "/")})});
  const Route* route = table.match("a.test:80", "/api/x");
  ASSERT_NE(route, nullptr);
  EXPECT_EQ(route->name, "a-api");
  // a.test is chosen and has no route for /web: no fall-through to the catch-all host.
  EXPECT_EQ(table.match("a.test", "/web"), nullptr);
  route = table.match("b.test", "/web");
  ASSERT_NE(route, nullptr);
  EXPECT_EQ(route->name, "fallback");
}

// ---- validDomainPattern ----

TEST(ValidDomainPatternTest, AcceptsExactAndSingleLeadingOrTrailingWildcard) {
  EXPECT_TRUE(validDomainPattern("*"));
  EXPECT_TRUE(validDomainPattern("example.com"));
  EXPECT_TRUE(validDomainPattern("*.example.com"));
  EXPECT_TRUE(validDomainPattern("*example.com"));
  EXPECT_TRUE(validDomainPattern("api.*"));
  EXPECT_TRUE(validDomainPattern("api*"));
  EXPECT_TRUE(validDomainPattern("[::1]"));
  EXPECT_TRUE(validDomainPattern("host:8080"));
}

TEST(ValidDomainPatternTest, RefusesEmptyInnerAndDoubleWildcards) {
  EXPECT_FALSE(validDomainPattern(""));
  EXPECT_FALSE(validDomainPattern("api.*.com"));
  EXPECT_FALSE(validDomainPattern("*.example.*"));
  EXPECT_FALSE(validDomainPattern("**"));
  EXPECT_FALSE(validDomainPattern("**.com"));
  EXPECT_FALSE(validDomainPattern("a**"));
}

}  // namespace
}  // namespace portico::dp::router
