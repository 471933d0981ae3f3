#include "data-plane/router/route_table.h"

#include <gtest/gtest.h>

#include <iterator>
#include <memory>
#include <string>
#include <vector>

namespace portico::dp::router {
namespace {

VirtualHost vhost(std::string name, std::vector<std::string> domains,
                  std::vector<Route> routes = {}) {
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
  RouteTable table("rt", {vhost("any", {"*"}), vhost("prefix", {"api.*"}),
                          vhost("suffix", {"*.example.com"}), vhost("exact", {"api.example.com"})});
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
  RouteTable table("rt", {vhost("short", {"*.com"}), vhost("long", {"*.example.com"}),
                          vhost("mid", {"*ample.com"})});
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
  EXPECT_EQ(vhostName(table, ".foo.com"), "<none>")
      << "'*' needs one character before \".foo.com\"";
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

// ---- Route::matches with RequestView: headers, method, query ----

namespace bhttp = boost::beast::http;
using Kind = HeaderMatcher::Kind;

HeaderMatcher header(std::string name, Kind kind, std::string value = "", bool invert = false) {
  HeaderMatcher out;
  out.name = std::move(name);
  out.kind = kind;
  out.value = std::move(value);
  out.invert = invert;
  return out;
}

HeaderMatcher regexHeader(std::string name, const std::string& pattern, bool invert = false) {
  HeaderMatcher out = header(std::move(name), Kind::kRegex, "", invert);
  out.regex = std::make_shared<re2::RE2>(pattern);
  return out;
}

QueryMatcher query(std::string name, Kind kind, std::string value = "", bool ignore_case = false) {
  QueryMatcher out;
  out.name = std::move(name);
  out.kind = kind;
  out.value = std::move(value);
  out.ignore_case = ignore_case;
  return out;
}

QueryMatcher regexQuery(std::string name, const std::string& pattern) {
  QueryMatcher out = query(std::move(name), Kind::kRegex);
  out.regex = std::make_shared<re2::RE2>(pattern);
  return out;
}

// A request as the session builds it: method, path without query, raw query, the header fields.
struct TestRequest {
  std::string method = "GET";
  std::string path = "/";
  std::string query;
  router::Fields headers;

  TestRequest& with(std::string name, std::string value) {
    headers.insert(name, value);
    return *this;
  }
  RequestView view() const { return RequestView{method, path, query, &headers}; }
};

TestRequest get(std::string path, std::string query = "") {
  TestRequest out;
  out.path = std::move(path);
  out.query = std::move(query);
  return out;
}

TEST(HeaderMatcherTest, ExactIsCaseSensitiveOnTheValueNotTheName) {
  const HeaderMatcher m = header("x-version", Kind::kExact, "v2");
  EXPECT_TRUE(m.matches(get("/").with("X-Version", "v2").view()))
      << "field names are case-insensitive";
  EXPECT_FALSE(m.matches(get("/").with("x-version", "V2").view()));
  EXPECT_FALSE(m.matches(get("/").with("x-version", "v2.1").view()));
  EXPECT_FALSE(m.matches(get("/").view()));
}

TEST(HeaderMatcherTest, EmptyExactValueMatchesAnEmptyHeader) {
  const HeaderMatcher m = header("x-empty", Kind::kExact, "");
  EXPECT_TRUE(m.matches(get("/").with("x-empty", "").view()));
  EXPECT_FALSE(m.matches(get("/").view())) << "absent is not empty";
}

TEST(HeaderMatcherTest, RegexMustMatchTheWholeValue) {
  const HeaderMatcher m = regexHeader("x-version", "v[0-9]+");
  EXPECT_TRUE(m.matches(get("/").with("x-version", "v10").view()));
  EXPECT_FALSE(m.matches(get("/").with("x-version", "xv10").view()));
  EXPECT_FALSE(m.matches(get("/").with("x-version", "v10x").view()));
}

TEST(HeaderMatcherTest, PresentPrefixSuffixContains) {
  EXPECT_TRUE(header("x-a", Kind::kPresent).matches(get("/").with("x-a", "").view()));
  EXPECT_FALSE(header("x-a", Kind::kPresent).matches(get("/").with("x-b", "").view()));
  const HeaderMatcher prefix = header("x-a", Kind::kPrefix, "ab");
  EXPECT_TRUE(prefix.matches(get("/").with("x-a", "abc").view()));
  EXPECT_TRUE(prefix.matches(get("/").with("x-a", "ab").view()));
  EXPECT_FALSE(prefix.matches(get("/").with("x-a", "Abc").view()));
  const HeaderMatcher suffix = header("x-a", Kind::kSuffix, "yz");
  EXPECT_TRUE(suffix.matches(get("/").with("x-a", "xyz").view()));
  EXPECT_FALSE(suffix.matches(get("/").with("x-a", "yzx").view()));
  const HeaderMatcher contains = header("x-a", Kind::kContains, "mid");
  EXPECT_TRUE(contains.matches(get("/").with("x-a", "a-mid-b").view()));
  EXPECT_FALSE(contains.matches(get("/").with("x-a", "m-i-d").view()));
}

TEST(HeaderMatcherTest, RangeIsHalfOpenOverIntegers) {
  HeaderMatcher m = header("content-length", Kind::kRange);
  m.range_start = 0;
  m.range_end = 1024;
  EXPECT_TRUE(m.matches(get("/").with("content-length", "0").view()));
  EXPECT_TRUE(m.matches(get("/").with("content-length", "1023").view()));
  EXPECT_FALSE(m.matches(get("/").with("content-length", "1024").view()));
  EXPECT_FALSE(m.matches(get("/").with("content-length", "-1").view()));
  EXPECT_FALSE(m.matches(get("/").with("content-length", "12abc").view()));
  EXPECT_FALSE(m.matches(get("/").with("content-length", "").view()));
  EXPECT_FALSE(m.matches(get("/").with("content-length", "99999999999999999999999").view()))
      << "overflow";
  EXPECT_FALSE(m.matches(get("/").view()));
}

TEST(HeaderMatcherTest, InvertNegatesAPresentHeader) {
  const HeaderMatcher m = header("x-env", Kind::kExact, "prod", /*invert=*/true);
  EXPECT_FALSE(m.matches(get("/").with("x-env", "prod").view()));
  EXPECT_TRUE(m.matches(get("/").with("x-env", "dev").view()));
  const HeaderMatcher range_inverted = [] {
    HeaderMatcher out = header("x-n", Kind::kRange, "", true);
    out.range_start = -10;
    out.range_end = 0;
    return out;
  }();
  EXPECT_FALSE(range_inverted.matches(get("/").with("x-n", "-1").view()));
  EXPECT_TRUE(range_inverted.matches(get("/").with("x-n", "5").view()));
}

// An inverted "present" matcher means "absent".
TEST(HeaderMatcherTest, InvertedPresentMeansAbsent) {
  const HeaderMatcher m = header("x-debug", Kind::kPresent, "", /*invert=*/true);
  EXPECT_TRUE(m.matches(get("/").view()));
  EXPECT_FALSE(m.matches(get("/").with("x-debug", "1").view()));
}

// Regression test (fixed; was router/route_table.cc, HeaderMatcher::matches): for every kind but "present",
// Envoy (without treat_missing_header_as_empty) and gRPC's xDS client fail the match when the
// header is absent, invert_match or not; Portico inverts the absence into a match, so a route
// "x-env not exactly prod" also takes requests that carry no x-env at all.
TEST(HeaderMatcherTest, InvertedValueMatcherDoesNotMatchAnAbsentHeader) {
  EXPECT_FALSE(header("x-env", Kind::kExact, "prod", true).matches(get("/").view()));
  EXPECT_FALSE(regexHeader("x-env", "prod|live", true).matches(get("/").view()));
  EXPECT_FALSE(header("x-env", Kind::kPrefix, "pr", true).matches(get("/").view()));
}

TEST(HeaderMatcherTest, MethodPseudoHeaderReadsTheRequestMethod) {
  TestRequest post = get("/");
  post.method = "POST";
  EXPECT_TRUE(header(":method", Kind::kExact, "POST").matches(post.view()));
  EXPECT_FALSE(header(":method", Kind::kExact, "post").matches(post.view()));
  EXPECT_FALSE(header(":method", Kind::kExact, "GET").matches(post.view()));
  EXPECT_TRUE(header(":method", Kind::kExact, "GET", /*invert=*/true).matches(post.view()));
  EXPECT_TRUE(regexHeader(":method", "PUT|POST").matches(post.view()));
  EXPECT_TRUE(header(":method", Kind::kPresent).matches(post.view()));
  RequestView no_fields{"DELETE", "/", "", nullptr};
  EXPECT_TRUE(header(":method", Kind::kExact, "DELETE").matches(no_fields))
      << "needs no header fields";
  EXPECT_FALSE(header("x-a", Kind::kPresent).matches(no_fields));
}

TEST(QueryMatcherTest, ExactOnDecodedValues) {
  const QueryMatcher m = query("q", Kind::kExact, "a b&c/é");
  EXPECT_TRUE(m.matches(get("/", "q=a%20b%26c%2F%C3%A9").view()));
  EXPECT_TRUE(m.matches(get("/", "q=a+b%26c/%c3%a9").view()))
      << "'+' is a space, hex digits in either case";
  EXPECT_FALSE(m.matches(get("/", "q=a%2Bb%26c/%C3%A9").view())) << "%2B is a literal '+'";
  EXPECT_FALSE(m.matches(get("/", "q=a b").view()));
}

TEST(QueryMatcherTest, NamesAreDecodedAndExact) {
  const QueryMatcher m = query("user id", Kind::kExact, "7");
  EXPECT_TRUE(m.matches(get("/", "user%20id=7").view()));
  EXPECT_TRUE(m.matches(get("/", "user+id=7").view()));
  EXPECT_FALSE(m.matches(get("/", "User+Id=7").view()));
  EXPECT_FALSE(m.matches(get("/", "user=7").view()));
}

TEST(QueryMatcherTest, AnyOccurrenceAndAnyPosition) {
  const QueryMatcher m = query("tag", Kind::kExact, "b");
  EXPECT_TRUE(m.matches(get("/", "x=1&tag=a&tag=b&y=2").view()));
  EXPECT_TRUE(m.matches(get("/", "tag=b").view()));
  EXPECT_FALSE(m.matches(get("/", "tag=a&xtag=b").view()));
  EXPECT_FALSE(m.matches(get("/", "").view()));
}

TEST(QueryMatcherTest, PresentWithOrWithoutValue) {
  const QueryMatcher m = query("debug", Kind::kPresent);
  EXPECT_TRUE(m.matches(get("/", "debug").view()));
  EXPECT_TRUE(m.matches(get("/", "a=1&debug=").view()));
  EXPECT_TRUE(m.matches(get("/", "debug=0").view()));
  EXPECT_FALSE(m.matches(get("/", "debugging=1").view()));
  EXPECT_FALSE(m.matches(get("/", "").view()));
}

TEST(QueryMatcherTest, ValueWithoutEqualsIsEmpty) {
  EXPECT_TRUE(query("flag", Kind::kExact, "").matches(get("/", "flag").view()));
  EXPECT_FALSE(query("flag", Kind::kExact, "1").matches(get("/", "flag").view()));
}

TEST(QueryMatcherTest, PrefixSuffixContainsRegexAndIgnoreCase) {
  EXPECT_TRUE(query("r", Kind::kPrefix, "eu-").matches(get("/", "r=eu-west").view()));
  EXPECT_FALSE(query("r", Kind::kPrefix, "eu-").matches(get("/", "r=us-eu-").view()));
  EXPECT_TRUE(query("r", Kind::kSuffix, "west").matches(get("/", "r=eu%2Dwest").view()));
  EXPECT_TRUE(query("r", Kind::kContains, "u w").matches(get("/", "r=eu+west").view()));
  EXPECT_TRUE(regexQuery("r", "eu|us").matches(get("/", "r=us").view()));
  EXPECT_FALSE(regexQuery("r", "eu|us").matches(get("/", "r=use").view()));
  EXPECT_TRUE(
      query("r", Kind::kExact, "EU", /*ignore_case=*/true).matches(get("/", "r=eu").view()));
  EXPECT_TRUE(
      query("r", Kind::kPrefix, "Eu", /*ignore_case=*/true).matches(get("/", "r=EU-1").view()));
  EXPECT_FALSE(query("r", Kind::kExact, "EU").matches(get("/", "r=eu").view()));
}

TEST(QueryMatcherTest, MalformedPercentEscapesStayLiteral) {
  EXPECT_TRUE(query("p", Kind::kExact, "100%").matches(get("/", "p=100%").view()));
  EXPECT_TRUE(query("p", Kind::kExact, "%zz").matches(get("/", "p=%zz").view()));
  EXPECT_TRUE(query("p", Kind::kExact, "%4").matches(get("/", "p=%4").view()));
}

TEST(RouteMatchTest, PathHeadersAndQueryMustAllHold) {
  Route route = prefixRoute("r", "/api");
  route.headers = {header(":method", Kind::kExact, "POST"), header("x-tenant", Kind::kPresent)};
  route.query = {query("v", Kind::kExact, "2")};
  TestRequest ok = get("/api/x", "v=2");
  ok.method = "POST";
  ok.with("x-tenant", "acme");
  EXPECT_TRUE(route.matches(ok.view()));

  TestRequest wrong_path = ok;
  wrong_path.path = "/web";
  EXPECT_FALSE(route.matches(wrong_path.view()));
  TestRequest wrong_method = ok;
  wrong_method.method = "GET";
  EXPECT_FALSE(route.matches(wrong_method.view()));
  TestRequest no_header = ok;
  no_header.headers.erase("x-tenant");
  EXPECT_FALSE(route.matches(no_header.view()));
  TestRequest wrong_query = ok;
  wrong_query.query = "v=1";
  EXPECT_FALSE(route.matches(wrong_query.view()));
}

TEST(RouteTableTest, MatchWithRequestViewFallsThroughToTheNextRoute) {
  Route post_only = prefixRoute("post-only", "/m");
  post_only.headers = {header(":method", Kind::kExact, "POST")};
  Route canary = prefixRoute("canary", "/m");
  canary.headers = {header("x-canary", Kind::kPresent)};
  RouteTable table("rt", {vhost("any", {"*"}, {post_only, canary, prefixRoute("any", "/m")})});
  TestRequest request = get("/m/1");
  EXPECT_EQ(table.match("h", request.view())->name, "any");
  request.with("x-canary", "1");
  EXPECT_EQ(table.match("h", request.view())->name, "canary");
  request.method = "POST";
  EXPECT_EQ(table.match("h", request.view())->name, "post-only");
}

// ---- HeaderMutation::apply ----

std::vector<std::string> values(const router::Fields& fields, std::string_view name) {
  std::vector<std::string> out;
  for (auto [it, end] = fields.equal_range(name); it != end; ++it) out.emplace_back(it->value());
  return out;
}

using Op = HeaderMutation::Op;

TEST(HeaderMutationTest, RemoveThenOverwriteThenAppend) {
  HeaderMutation mutation;
  mutation.steps = {{Op::kRemove, "x-internal", ""},        {Op::kRemove, "x-absent", ""},
                    {Op::kOverwriteOrAdd, "x-level", "gateway"}, {Op::kOverwriteOrAdd, "x-new", "1"},
                    {Op::kAppend, "x-trail", "gw"},          {Op::kAppend, "x-added", "a"}};
  EXPECT_FALSE(mutation.empty());
  router::Fields fields;
  fields.insert("X-Internal", "secret");
  fields.insert("x-internal", "secret-2");
  fields.insert("x-level", "client-1");
  fields.insert("x-level", "client-2");
  fields.insert("x-trail", "client");
  fields.insert("x-keep", "k");
  mutation.apply(fields);
  EXPECT_EQ(fields.count("x-internal"), 0u) << "every occurrence, any case";
  EXPECT_EQ(values(fields, "x-level"), (std::vector<std::string>{"gateway"}))
      << "overwrite replaces all values";
  EXPECT_EQ(values(fields, "x-new"), (std::vector<std::string>{"1"}));
  EXPECT_EQ(values(fields, "x-trail"), (std::vector<std::string>{"client", "gw"}));
  EXPECT_EQ(values(fields, "x-added"), (std::vector<std::string>{"a"}));
  EXPECT_EQ(values(fields, "x-keep"), (std::vector<std::string>{"k"}));
}

TEST(HeaderMutationTest, LaterOverwriteWinsAndAppendsAccumulate) {
  HeaderMutation mutation;
  mutation.steps = {{Op::kOverwriteOrAdd, "x-a", "first"}, {Op::kOverwriteOrAdd, "x-a", "second"},
                    {Op::kAppend, "x-b", "1"}, {Op::kAppend, "x-b", "2"}};
  router::Fields fields;
  mutation.apply(fields);
  EXPECT_EQ(values(fields, "x-a"), (std::vector<std::string>{"second"}));
  EXPECT_EQ(values(fields, "x-b"), (std::vector<std::string>{"1", "2"}));
}

TEST(HeaderMutationTest, AddIfAbsentAndOverwriteIfExists) {
  HeaderMutation mutation;
  mutation.steps = {{Op::kAddIfAbsent, "x-tenant", "default"}, {Op::kAddIfAbsent, "x-new", "n"},
                    {Op::kOverwriteIfExists, "x-env", "prod"}, {Op::kOverwriteIfExists, "x-missing", "m"}};
  router::Fields fields;
  fields.insert("x-tenant", "acme");
  fields.insert("x-env", "dev");
  mutation.apply(fields);
  EXPECT_EQ(values(fields, "x-tenant"), (std::vector<std::string>{"acme"}));
  EXPECT_EQ(values(fields, "x-new"), (std::vector<std::string>{"n"}));
  EXPECT_EQ(values(fields, "x-env"), (std::vector<std::string>{"prod"}));
  EXPECT_EQ(fields.count("x-missing"), 0u);
}

TEST(HeaderMutationTest, EmptyMutationChangesNothing) {
  HeaderMutation mutation;
  EXPECT_TRUE(mutation.empty());
  router::Fields fields;
  fields.insert("x-a", "1");
  mutation.apply(fields);
  EXPECT_EQ(values(fields, "x-a"), (std::vector<std::string>{"1"}));
  EXPECT_EQ(std::distance(fields.begin(), fields.end()), 1);
}

// ---- Route::rewritePath ----

Route regexRewriteRoute(const std::string& pattern, std::string substitution) {
  Route route = prefixRoute("r", "/");
  route.regex_rewrite = std::make_shared<re2::RE2>(pattern);
  route.regex_substitution = std::move(substitution);
  return route;
}

TEST(RewritePathTest, NoRewriteKeepsPathAndQuery) {
  Route route = prefixRoute("r", "/api");
  EXPECT_EQ(route.rewritePath("/api/users", ""), "/api/users");
  EXPECT_EQ(route.rewritePath("/api/users", "a=1&b=2"), "/api/users?a=1&b=2");
}

TEST(RewritePathTest, PrefixRewriteReplacesTheMatchedPrefix) {
  Route route = prefixRoute("r", "/api/");
  route.prefix_rewrite = "/v2/";
  EXPECT_EQ(route.rewritePath("/api/users", ""), "/v2/users");
  EXPECT_EQ(route.rewritePath("/api/", "x=1"), "/v2/?x=1");
  route.prefix_rewrite = "/";
  EXPECT_EQ(route.rewritePath("/api/users/7", "q=%20"), "/users/7?q=%20")
      << "the query is kept as sent";
}

TEST(RewritePathTest, PrefixRewriteOfACaseInsensitivePrefix) {
  Route route = prefixRoute("r", "/Api", /*case_sensitive=*/false);
  route.prefix_rewrite = "/internal";
  EXPECT_EQ(route.rewritePath("/API/x", ""), "/internal/x");
}

TEST(RewritePathTest, PrefixRewriteToEmptyAndWithoutSlashGetsALeadingSlash) {
  Route route = prefixRoute("r", "/api/");
  route.prefix_rewrite = "v1/";
  EXPECT_EQ(route.rewritePath("/api/users", ""), "/v1/users");
}

// prefix_rewrite only applies to prefix routes (Envoy's rule); other routes forward unchanged.
TEST(RewritePathTest, PrefixRewriteIgnoredOnExactRoutes) {
  Route route = exactRoute("r", "/health");
  route.prefix_rewrite = "/status";
  EXPECT_EQ(route.rewritePath("/health", ""), "/health");
}

TEST(RewritePathTest, RegexRewriteWithGroups) {
  Route route = regexRewriteRoute("^/users/([0-9]+)/orders/([0-9]+)$", "/orders/\\2?user=\\1");
  EXPECT_EQ(route.rewritePath("/users/7/orders/42", ""), "/orders/42?user=7");
  EXPECT_EQ(route.rewritePath("/users/x/orders/42", "k=v"), "/users/x/orders/42?k=v")
      << "no match: unchanged";
}

TEST(RewritePathTest, RegexRewriteReplacesEveryMatch) {
  Route route = regexRewriteRoute("/+", "/");
  EXPECT_EQ(route.rewritePath("//a///b/", ""), "/a/b/");
}

TEST(RewritePathTest, RegexRewriteKeepsTheQueryAndEnsuresALeadingSlash) {
  Route route = regexRewriteRoute("^/api/*", "");
  EXPECT_EQ(route.rewritePath("/api/users", "a=1"), "/users?a=1");
  EXPECT_EQ(route.rewritePath("/api", "a=1"), "/?a=1");
  EXPECT_EQ(route.rewritePath("/api", ""), "/");
}

// How portico-cp implements strip_prefix: ^<prefix>/* → "/".
TEST(RewritePathTest, StripPrefixShape) {
  Route route = regexRewriteRoute("^/api/*", "/");
  EXPECT_EQ(route.rewritePath("/api/users", ""), "/users");
  EXPECT_EQ(route.rewritePath("/api//users", ""), "/users");
  EXPECT_EQ(route.rewritePath("/api", "x=1"), "/?x=1");
}

TEST(RewritePathTest, PrefixRewriteTakesPrecedenceOverRegex) {
  Route route = regexRewriteRoute("users", "people");
  route.path = "/api";
  route.prefix_rewrite = "/v2";
  EXPECT_EQ(route.rewritePath("/api/users", ""), "/v2/users");
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
