// The route index gives exactly the linear scan's answer (first match in xDS order) for random
// route sets mixing prefix, exact, regex, case-insensitive and header-constrained routes.

#include "data-plane/router/route_index.h"

#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "common/strings.h"
#include "data-plane/router/route_table.h"

namespace portico::dp::router {
namespace {

const std::vector<std::string> kSegments = {"a", "b", "api", "v1", "users", "Users", "x", ""};

std::string randomPath(std::mt19937& rng, int max_depth) {
  std::string path;
  const int depth = std::uniform_int_distribution<int>(0, max_depth)(rng);
  for (int i = 0; i < depth; ++i) {
    path += "/" + kSegments[std::uniform_int_distribution<size_t>(0, kSegments.size() - 1)(rng)];
  }
  if (path.empty() || std::uniform_int_distribution<int>(0, 3)(rng) == 0) path += "/";
  return path;
}

Route randomRoute(std::mt19937& rng, int i) {
  Route route;
  route.name = cat("r", i);
  route.path = randomPath(rng, 3);
  switch (std::uniform_int_distribution<int>(0, 9)(rng)) {
    case 0:
    case 1:
      route.path_match = Route::PathMatch::kExact;
      break;
    case 2: {
      re2::RE2::Options options;
      route.path_match = Route::PathMatch::kRegex;
      route.regex = std::make_shared<re2::RE2>(cat(route.path, ".*"), options);
      break;
    }
    default:
      route.path_match = Route::PathMatch::kPrefix;
  }
  route.case_sensitive = std::uniform_int_distribution<int>(0, 5)(rng) != 0;
  if (std::uniform_int_distribution<int>(0, 4)(rng) == 0) {
    HeaderMatcher header;
    header.name = "x-version";
    header.kind = HeaderMatcher::Kind::kExact;
    header.value = "2";
    route.headers.push_back(header);
  }
  return route;
}

TEST(RouteIndexTest, SameAnswerAsTheLinearScan) {
  std::mt19937 rng(20261128);
  for (int table = 0; table < 200; ++table) {
    VirtualHost vhost;
    vhost.name = "all";
    vhost.domains = {"*"};
    const int count = std::uniform_int_distribution<int>(1, 60)(rng);
    for (int i = 0; i < count; ++i) vhost.routes.push_back(randomRoute(rng, i));
    const RouteTable routes("t", {vhost});
    for (int probe = 0; probe < 200; ++probe) {
      router::Fields headers;
      if (probe % 2 == 0) headers.set("x-version", "2");
      RequestView request;
      const std::string path = randomPath(rng, 5);
      request.path = path;
      request.method = "GET";
      request.headers = &headers;
      const Route* indexed = routes.match("h", request);
      const Route* linear = routes.matchLinear("h", request);
      ASSERT_EQ(indexed, linear) << "table " << table << " path " << path << ": index says "
                                 << (indexed ? indexed->name : "none") << ", scan says "
                                 << (linear ? linear->name : "none");
    }
  }
}

TEST(RouteIndexTest, EarlierRouteWinsAcrossGroups) {
  VirtualHost vhost;
  vhost.domains = {"*"};
  Route regex;
  regex.name = "regex-first";
  regex.path_match = Route::PathMatch::kRegex;
  regex.regex = std::make_shared<re2::RE2>("/api/.*");
  Route exact;
  exact.name = "exact";
  exact.path_match = Route::PathMatch::kExact;
  exact.path = "/api/users";
  Route prefix;
  prefix.name = "prefix";
  prefix.path = "/api";
  vhost.routes = {prefix, exact, regex};
  const RouteTable first_prefix("t", {vhost});
  EXPECT_EQ(first_prefix.match("h", "/api/users")->name, "prefix");
  vhost.routes = {regex, exact, prefix};
  const RouteTable first_regex("t", {vhost});
  EXPECT_EQ(first_regex.match("h", "/api/users")->name, "regex-first");
  vhost.routes = {exact, regex, prefix};
  const RouteTable first_exact("t", {vhost});
  EXPECT_EQ(first_exact.match("h", "/api/users")->name, "exact");
  EXPECT_EQ(first_exact.match("h", "/api/other")->name, "regex-first");
  EXPECT_EQ(first_exact.match("h", "/apix")->name, "prefix");
  EXPECT_EQ(first_exact.match("h", "/ap"), nullptr);
}

// A path deep enough to need more cursors than the index keeps still gets the right answer.
TEST(RouteIndexTest, DeepPathsFallBackToTheScan) {
  VirtualHost vhost;
  vhost.domains = {"*"};
  std::string prefix;
  for (int i = 0; i < RouteIndex::kMaxCursors + 10; ++i) {
    prefix += "/s";
    Route route;
    route.name = cat("depth", i);
    route.path = prefix;
    route.headers.push_back(HeaderMatcher{.name = "x-never", .kind = HeaderMatcher::Kind::kPresent});
    vhost.routes.push_back(route);
  }
  Route last;
  last.name = "catch-all";
  last.path = "/";
  vhost.routes.push_back(last);
  const RouteTable table("t", {vhost});
  EXPECT_EQ(table.match("h", prefix + "/end")->name, "catch-all");
}

}  // namespace
}  // namespace portico::dp::router
