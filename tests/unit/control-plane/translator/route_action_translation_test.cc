// portico.yaml route actions → Envoy RouteAction / DirectResponseAction / RedirectAction, and
// the default routes of unrouted registered services.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <re2/re2.h>

#include <string>

#include "common/strings.h"
#include "tests/unit/control-plane/translator/translator_test_util.h"

namespace portico::cp::translator::test {
namespace {

using envoy::config::route::v3::RedirectAction;
using envoy::config::route::v3::RouteAction;
using ::testing::ElementsAre;

Route onlyRoute(const std::string& yaml_after_listener) {
  return routeNamed(routesOf(snapshotOf(cat(kListener, yaml_after_listener))), "r");
}

// What Envoy does with regex_rewrite: RE2 global replace over the path.
std::string rewritten(const RouteAction& action, std::string path) {
  const RE2 pattern(action.regex_rewrite().pattern().regex());
  EXPECT_TRUE(pattern.ok()) << action.regex_rewrite().pattern().regex();
  RE2::GlobalReplace(&path, pattern, action.regex_rewrite().substitution());
  return path;
}

TEST(RouteActionTranslationTest, ServiceTarget) {
  const Route route =
      onlyRoute("routes:\n  - { name: r, match: { path_prefix: /x }, service: users }\n");
  EXPECT_EQ(route.route().cluster(), "users");
  EXPECT_FALSE(route.route().has_timeout());
  EXPECT_FALSE(route.route().has_retry_policy());
  EXPECT_EQ(route.route().hash_policy_size(), 0);
  EXPECT_FALSE(route.route().has_regex_rewrite());
}

TEST(RouteActionTranslationTest, SplitIsWeightedClustersWithSumAndNoZeroWeights) {
  const Route route = onlyRoute(
      "routes:\n"
      "  - name: r\n"
      "    match: { path_prefix: /p }\n"
      "    split:\n"
      "      - { service: stable, weight: 90 }\n"
      "      - { service: off, weight: 0 }\n"
      "      - { service: canary, weight: 15 }\n");
  ASSERT_TRUE(route.route().has_weighted_clusters());
  const auto& weighted = route.route().weighted_clusters();
  ASSERT_EQ(weighted.clusters_size(), 2);
  EXPECT_EQ(weighted.clusters(0).name(), "stable");
  EXPECT_EQ(weighted.clusters(0).weight().value(), 90u);
  EXPECT_EQ(weighted.clusters(1).name(), "canary");
  EXPECT_EQ(weighted.clusters(1).weight().value(), 15u);
  EXPECT_EQ(weighted.total_weight().value(), 105u);
}

TEST(RouteActionTranslationTest, StripPrefixRemovesPrefixAndFollowingSlashes) {
  const Route route = onlyRoute(
      "routes:\n  - { name: r, match: { path_prefix: /api }, service: s, strip_prefix: true }\n");
  ASSERT_TRUE(route.route().has_regex_rewrite());
  EXPECT_EQ(route.route().regex_rewrite().substitution(), "/");
  const std::string& regex = route.route().regex_rewrite().pattern().regex();
  // "^/api/*", with "/" possibly escaped.
  EXPECT_TRUE(regex == "^/api/*" || regex == "^\\/api/*") << regex;
  EXPECT_EQ(rewritten(route.route(), "/api/users"), "/users");
  EXPECT_EQ(rewritten(route.route(), "/api"), "/");
  EXPECT_EQ(rewritten(route.route(), "/api//a/b"), "/a/b");
  EXPECT_EQ(rewritten(route.route(), "/api/x/api/y"), "/x/api/y");  // anchored: only the prefix
}

TEST(RouteActionTranslationTest, StripPrefixWithTrailingSlashPrefixAndSpecialCharacters) {
  const Route route = onlyRoute(
      "routes:\n  - { name: r, match: { path_prefix: /v1.0/ }, service: s, strip_prefix: true }\n");
  EXPECT_EQ(rewritten(route.route(), "/v1.0/users"), "/users");
  EXPECT_EQ(rewritten(route.route(), "/v1x0/users"), "/v1x0/users");  // the dot is literal
}

// With case_sensitive: false, "/API/users" matches prefix "/api"; strip_prefix must remove what
// matched, whatever its case.
TEST(RouteActionTranslationTest, StripPrefixFollowsCaseInsensitiveMatching) {
  const Route route = onlyRoute(
      "routes:\n"
      "  - { name: r, match: { path_prefix: /api, case_sensitive: false }, service: s, "
      "strip_prefix: true }\n");
  EXPECT_EQ(rewritten(route.route(), "/api/users"), "/users");
  EXPECT_EQ(rewritten(route.route(), "/API/users"), "/users");
}

TEST(RouteActionTranslationTest, StripPrefixDefaultsToFalse) {
  EXPECT_FALSE(onlyRoute("routes:\n  - { name: r, match: { path_prefix: /api }, service: s }\n")
                   .route()
                   .has_regex_rewrite());
}

TEST(RouteActionTranslationTest, Rewrites) {
  const Route prefix = onlyRoute(
      "routes:\n  - { name: r, match: { path_prefix: /api/orders }, service: s, rewrite: { prefix: "
      "/orders } }\n");
  EXPECT_EQ(prefix.route().prefix_rewrite(), "/orders");

  const Route regex = onlyRoute(
      "routes:\n"
      "  - name: r\n"
      "    match: { path_prefix: /api }\n"
      "    service: s\n"
      "    rewrite: { regex: \"^/api/(.*)$\", substitution: \"/v2/\\\\1\", host: backend.internal "
      "}\n");
  EXPECT_EQ(regex.route().regex_rewrite().pattern().regex(), "^/api/(.*)$");
  EXPECT_EQ(regex.route().regex_rewrite().substitution(), "/v2/\\1");
  EXPECT_EQ(rewritten(regex.route(), "/api/users"), "/v2/users");
  EXPECT_EQ(regex.route().host_rewrite_literal(), "backend.internal");
}

TEST(RouteActionTranslationTest, TimeoutFromRouteElseService) {
  const std::string yaml =
      "services:\n"
      "  - { name: slow, timeout: 60s }\n"
      "routes:\n"
      "  - { name: own, match: { path_prefix: /a }, service: slow, timeout: 250ms }\n"
      "  - { name: inherited, match: { path_prefix: /b }, service: slow }\n"
      "  - { name: none, match: { path_prefix: /c }, service: other }\n"
      "  - { name: off, match: { path_prefix: /d }, service: slow, timeout: 0s }\n";
  const RouteConfiguration config = routesOf(snapshotOf(cat(kListener, yaml)));
  const Route own = routeNamed(config, "own");
  EXPECT_EQ(own.route().timeout().seconds(), 0);
  EXPECT_EQ(own.route().timeout().nanos(), 250000000);
  EXPECT_EQ(routeNamed(config, "inherited").route().timeout().seconds(), 60);
  EXPECT_FALSE(routeNamed(config, "none").route().has_timeout());
  const Route off = routeNamed(config, "off");
  ASSERT_TRUE(off.route().has_timeout());  // 0 disables the timeout, as in Envoy
  EXPECT_EQ(off.route().timeout().seconds(), 0);
  EXPECT_EQ(off.route().timeout().nanos(), 0);
}

TEST(RouteActionTranslationTest, RetryPolicyFromService) {
  const Route route = onlyRoute(
      "services:\n"
      "  - name: s\n"
      "    retries:\n"
      "      attempts: 3\n"
      "      retry_on: [connect-failure, \"503\", reset, \"504\"]\n"
      "      per_try_timeout: 2s\n"
      "      backoff: { base: 10ms, max: 1s }\n"
      "routes:\n"
      "  - { name: r, match: { path_prefix: /x }, service: s }\n");
  ASSERT_TRUE(route.route().has_retry_policy());
  const auto& retry = route.route().retry_policy();
  EXPECT_EQ(retry.retry_on(), "connect-failure,reset,retriable-status-codes");
  EXPECT_THAT(retry.retriable_status_codes(), ElementsAre(503u, 504u));
  EXPECT_EQ(retry.num_retries().value(), 3u);
  EXPECT_EQ(retry.per_try_timeout().seconds(), 2);
  EXPECT_EQ(retry.retry_back_off().base_interval().nanos(), 10000000);
  EXPECT_EQ(retry.retry_back_off().max_interval().seconds(), 1);
  // Only idempotent methods are retried by default.
  ASSERT_EQ(retry.retriable_request_headers_size(), 1);
  const auto& methods = retry.retriable_request_headers(0);
  EXPECT_EQ(methods.name(), ":method");
  const RE2 regex(methods.safe_regex_match().regex());
  for (const char* m : {"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
    EXPECT_TRUE(RE2::FullMatch(m, regex)) << m;
  for (const char* m : {"POST", "PATCH"}) EXPECT_FALSE(RE2::FullMatch(m, regex)) << m;
}

TEST(RouteActionTranslationTest, RetryDefaultsAndNonIdempotent) {
  const Route route = onlyRoute(
      "routes:\n"
      "  - { name: r, match: { path_prefix: /x }, service: s, retries: { attempts: 2, "
      "non_idempotent: true } }\n");
  const auto& retry = route.route().retry_policy();
  EXPECT_EQ(retry.retry_on(), "connect-failure,reset,gateway-error");
  EXPECT_EQ(retry.retriable_status_codes_size(), 0);
  EXPECT_EQ(retry.num_retries().value(), 2u);
  EXPECT_FALSE(retry.has_per_try_timeout());
  EXPECT_EQ(retry.retry_back_off().base_interval().nanos(), 25000000);
  EXPECT_EQ(retry.retry_back_off().max_interval().nanos(), 250000000);
  EXPECT_EQ(retry.retriable_request_headers_size(), 0);
}

TEST(RouteActionTranslationTest, RouteRetriesOverrideTheServicesAndZeroAttemptsMeansNone) {
  const std::string yaml =
      "services:\n"
      "  - { name: s, retries: { attempts: 5 } }\n"
      "routes:\n"
      "  - { name: own, match: { path_prefix: /a }, service: s, retries: { attempts: 1, retry_on: "
      "[reset] } }\n"
      "  - { name: zero, match: { path_prefix: /b }, service: s, retries: { attempts: 0 } }\n"
      "  - { name: inherited, match: { path_prefix: /c }, service: s }\n";
  const RouteConfiguration config = routesOf(snapshotOf(cat(kListener, yaml)));
  const auto own = routeNamed(config, "own").route().retry_policy();
  EXPECT_EQ(own.num_retries().value(), 1u);
  EXPECT_EQ(own.retry_on(), "reset");
  EXPECT_FALSE(routeNamed(config, "zero").route().has_retry_policy());
  EXPECT_EQ(routeNamed(config, "inherited").route().retry_policy().num_retries().value(), 5u);
}

// "5xx" is a retry condition, not a status code: it must reach Envoy's retry_on unchanged.
TEST(RouteActionTranslationTest, FiveXxIsARetryConditionNotAStatusCode) {
  const Route route = onlyRoute(
      "routes:\n"
      "  - { name: r, match: { path_prefix: /x }, service: s, retries: { attempts: 1, retry_on: "
      "[5xx, \"429\"] } }\n");
  const auto& retry = route.route().retry_policy();
  EXPECT_EQ(retry.retry_on(), "5xx,retriable-status-codes");
  EXPECT_THAT(retry.retriable_status_codes(), ElementsAre(429u));
}

TEST(RouteActionTranslationTest, HashPolicies) {
  const std::string yaml =
      "services:\n"
      "  - { name: by-header, lb: ring_hash, hash_on: { header: X-User-Id } }\n"
      "  - { name: by-cookie, lb: maglev, hash_on: { cookie: session } }\n"
      "  - { name: by-ip, lb: ring_hash, hash_on: { client_ip: true } }\n"
      "routes:\n"
      "  - { name: h, match: { path_prefix: /h }, service: by-header }\n"
      "  - { name: c, match: { path_prefix: /c }, service: by-cookie }\n"
      "  - { name: i, match: { path_prefix: /i }, service: by-ip }\n";
  const RouteConfiguration config = routesOf(snapshotOf(cat(kListener, yaml)));
  const auto header = routeNamed(config, "h").route();
  ASSERT_EQ(header.hash_policy_size(), 1);
  EXPECT_EQ(header.hash_policy(0).header().header_name(), "x-user-id");
  const auto cookie = routeNamed(config, "c").route();
  ASSERT_EQ(cookie.hash_policy_size(), 1);
  EXPECT_EQ(cookie.hash_policy(0).cookie().name(), "session");
  const auto ip = routeNamed(config, "i").route();
  ASSERT_EQ(ip.hash_policy_size(), 1);
  EXPECT_TRUE(ip.hash_policy(0).connection_properties().source_ip());
}

TEST(RouteActionTranslationTest, DirectResponse) {
  const Route route = onlyRoute(
      "routes:\n"
      "  - name: r\n"
      "    match: { path: /health }\n"
      "    direct_response: { status: 503, content_type: application/json, body: "
      "'{\"status\":\"down\"}' }\n");
  ASSERT_TRUE(route.has_direct_response());
  EXPECT_EQ(route.direct_response().status(), 503u);
  EXPECT_EQ(route.direct_response().body().inline_string(), "{\"status\":\"down\"}");
  ASSERT_EQ(route.response_headers_to_add_size(), 1);
  EXPECT_EQ(route.response_headers_to_add(0).header().key(), "content-type");
  EXPECT_EQ(route.response_headers_to_add(0).header().value(), "application/json");
}

TEST(RouteActionTranslationTest, DirectResponseDefaultContentType) {
  const Route route = onlyRoute(
      "routes:\n  - { name: r, match: { path: /t }, direct_response: { status: 200, body: ok } "
      "}\n");
  ASSERT_EQ(route.response_headers_to_add_size(), 1);
  EXPECT_EQ(route.response_headers_to_add(0).header().value(), "text/plain");
}

TEST(RouteActionTranslationTest, RedirectCodesAndParts) {
  const std::pair<int, RedirectAction::RedirectResponseCode> cases[] = {
      {301, RedirectAction::MOVED_PERMANENTLY},
      {302, RedirectAction::FOUND},
      {303, RedirectAction::SEE_OTHER},
      {307, RedirectAction::TEMPORARY_REDIRECT},
      {308, RedirectAction::PERMANENT_REDIRECT}};
  for (const auto& [status, code] : cases) {
    const Route route = onlyRoute(
        cat("routes:\n  - { name: r, match: { path_prefix: /old }, redirect: { status: ", status,
            ", scheme: https, host: new.example.com, path: /new } }\n"));
    ASSERT_TRUE(route.has_redirect()) << status;
    EXPECT_EQ(route.redirect().response_code(), code) << status;
    EXPECT_EQ(route.redirect().scheme_redirect(), "https");
    EXPECT_EQ(route.redirect().host_redirect(), "new.example.com");
    EXPECT_EQ(route.redirect().path_redirect(), "/new");
  }
  const Route partial = onlyRoute(
      "routes:\n  - { name: r, match: { path_prefix: /old }, redirect: { host: h.example } }\n");
  EXPECT_EQ(partial.redirect().response_code(), RedirectAction::MOVED_PERMANENTLY);
  EXPECT_EQ(partial.redirect().host_redirect(), "h.example");
  EXPECT_EQ(partial.redirect().scheme_rewrite_specifier_case(),
            RedirectAction::SCHEME_REWRITE_SPECIFIER_NOT_SET);
  EXPECT_EQ(partial.redirect().path_rewrite_specifier_case(),
            RedirectAction::PATH_REWRITE_SPECIFIER_NOT_SET);
}

TEST(RouteActionTranslationTest, DefaultRoutesComeLastSortedInEveryVirtualHost) {
  const auto state =
      registryOf({instance("zeta", "z", "10.0.0.1", 80), instance("alpha", "a", "10.0.0.2", 80),
                  instance("users", "u", "10.0.0.3", 80)});
  const std::string yaml =
      cat(kListener,
          "routes:\n"
          "  - { name: users, match: { path_prefix: /u }, service: users }\n"
          "  - { name: host, match: { hosts: [a.example], path_prefix: /h }, service: users }\n");
  const RouteConfiguration config = routesOf(snapshotOf(yaml, state));
  EXPECT_THAT(routeNames(catchAll(config)), ElementsAre("users", "alpha", "zeta"));
  const VirtualHost* host = vhostNamed(config, "a.example");
  ASSERT_NE(host, nullptr);
  EXPECT_THAT(routeNames(*host), ElementsAre("users", "host", "alpha", "zeta"));
  const Route alpha = catchAll(config).routes(1);
  EXPECT_EQ(alpha.match().prefix(), "/alpha/");
  EXPECT_EQ(alpha.route().cluster(), "alpha");
  EXPECT_FALSE(alpha.route().has_regex_rewrite());  // forwarded unchanged
}

TEST(RouteActionTranslationTest, DefaultRoutesOnlyInGroupsThatTakeEveryRoute) {
  const auto state =
      registryOf({instance("extra", "e", "10.0.0.1", 80), instance("users", "u", "10.0.0.3", 80)});
  const std::string yaml = cat(kListener,
                               "groups:\n"
                               "  - { name: all }\n"
                               "  - { name: some, routes: [users] }\n"
                               "routes:\n"
                               "  - { name: users, match: { path_prefix: /u }, service: users }\n");
  const GroupSnapshots snapshots = translate(parse(yaml), state);
  EXPECT_THAT(routeNames(catchAll(routesOf(snapshots.at("default")))),
              ElementsAre("users", "extra"));
  EXPECT_THAT(routeNames(catchAll(routesOf(snapshots.at("all")))), ElementsAre("users", "extra"));
  EXPECT_THAT(routeNames(catchAll(routesOf(snapshots.at("some")))), ElementsAre("users"));
}

// A default route is a route to its service: it should carry the service's route-level policies
// (timeout, retries, and the hash key its ring_hash / maglev balancing needs).
TEST(RouteActionTranslationTest, DefaultRouteCarriesTheServicePolicies) {
  const auto state = registryOf({instance("sticky", "s", "10.0.0.1", 80)});
  const std::string yaml = cat(kListener,
                               "services:\n"
                               "  - name: sticky\n"
                               "    lb: ring_hash\n"
                               "    hash_on: { header: x-user }\n"
                               "    timeout: 42s\n"
                               "    retries: { attempts: 2 }\n");
  const Route route = catchAll(routesOf(snapshotOf(yaml, state))).routes(0);
  EXPECT_EQ(route.match().prefix(), "/sticky/");
  EXPECT_EQ(route.route().timeout().seconds(), 42);
  EXPECT_EQ(route.route().retry_policy().num_retries().value(), 2u);
  ASSERT_EQ(route.route().hash_policy_size(), 1);
  EXPECT_EQ(route.route().hash_policy(0).header().header_name(), "x-user");
}

}  // namespace
}  // namespace portico::cp::translator::test
