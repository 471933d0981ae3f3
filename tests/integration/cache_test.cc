// The response cache end to end: a real portico-cp (with an admin token), a real echo backend
// whose answers set Cache-Control, Vary or Set-Cookie on request (x-echo-response-header), and a
// real portico-proxy with two workers sharing one cache. Hit and miss (X-Cache, Age, the
// backend's own request log proving nothing went upstream), expiry, Vary variants, no-store,
// private and Set-Cookie, coalescing (concurrent misses → one upstream request), purges through
// porticoctl (route, prefix, everything) reaching the proxy, and the proxy's cache metrics.

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include <string>
#include <thread>
#include <vector>

#include "common/http/http_client.h"
#include "common/strings.h"
#include "tests/support/echo_reply.h"
#include "tests/support/gateway_suite.h"
#include "tests/support/test_env.h"
#include "tests/support/tool_run.h"

namespace portico::testing {
namespace {

namespace json = boost::json;

constexpr char kToken[] = "cache-test-admin-token-0123456789";

std::string configYaml(uint16_t port) {
  return cat(R"yaml(version: 1
listeners:
  - { name: public, address: 127.0.0.1, port: )yaml", port, R"yaml( }
routes:
  - { name: cached, match: { path_prefix: /cached }, service: echo }
  - { name: short, match: { path_prefix: /short }, service: echo }
  - { name: other, match: { path_prefix: /other }, service: echo }
  - { name: plain, match: { path_prefix: /plain }, service: echo }
plugins:
  - name: cache
    route: cached
    config: { ttl: 300s, max_size: 8MB }
  - name: cache
    route: short
    config: { ttl: 1s, max_size: 1MB }
  - name: cache
    route: other
    config: { ttl: 300s, max_size: 2MB }
)yaml");
}

struct Answer {
  int status = 0;
  std::string x_cache;  // "<absent>" when the response has none
  std::string age;
  std::string body;
  std::string backend;
};

class CacheTest : public GatewaySuite<CacheTest> {
 protected:
  static void SetUpTestSuite() {
    startGateway({.proxy = {.workers = 2}, .admin_token = kToken, .ready_path = "/plain/ready",
                  .request_timeout = absl::Seconds(10)},
                 configYaml);
  }

  static Answer get(const std::string& target, http::HeaderList headers = {}, const std::string& method = "GET") {
    const http::ClientResponse response = gateway().fetch({method, target, "", std::move(headers)});
    Answer out;
    if (response.status == 0) return out;
    out.status = response.status;
    out.x_cache = GatewayFixture::header(response, "x-cache");
    out.age = GatewayFixture::header(response, "age");
    out.body = response.body;
    out.backend = parseEchoReply(response).backend;
    return out;
  }

  // How many times the backend was asked for exactly "GET <target>" (its own request log).
  static int upstreamCount(const std::string& target) {
    http::ClientRequest request;
    request.target = "/__echo/requests";
    auto response = http::fetch("127.0.0.1", gateway().backend().port(), request);
    if (!response.ok()) return -1;
    json::error_code ec;
    const json::value parsed = json::parse(response->body, ec);
    if (ec) return -1;
    int count = 0;
    for (const json::value& entry : parsed.at("log").as_array()) {
      if (std::string_view(entry.as_string()) == cat("GET ", target)) ++count;
    }
    return count;
  }

  static ToolRun ctl(const std::vector<std::string>& args) {
    std::vector<std::string> all = {cat("--cp=127.0.0.1:", gateway().cp().adminPort())};
    all.insert(all.end(), args.begin(), args.end());
    return runTool(binaryPath("porticoctl"), all, {{cat("PORTICO_TOKEN=", kToken)}, {"PORTICO_CP"}});
  }

  // The value of an unlabelled series on the proxy's /metrics; -1 when absent.
  static double metric(const std::string& name) {
    auto response = gateway().proxy().admin("/metrics");
    if (!response.ok()) return -1;
    const std::string prefix = name + " ";
    size_t at = 0;
    while ((at = response->body.find(prefix, at)) != std::string::npos) {
      if (at == 0 || response->body[at - 1] == '\n') {
        return std::stod(response->body.substr(at + prefix.size()));
      }
      at += prefix.size();
    }
    return -1;
  }

  // Waits until `target` is a miss again (a purge reached the proxy). The miss refills it.
  static bool becomesMiss(const std::string& target) {
    return waitUntil([&] { return get(target).x_cache == "MISS"; }, absl::Seconds(20), absl::Milliseconds(50));
  }
};

TEST_F(CacheTest, MissThenHitWithoutGoingUpstream) {
  const Answer first = get("/cached/items?page=1");
  EXPECT_EQ(first.status, 200);
  EXPECT_EQ(first.x_cache, "MISS");
  EXPECT_EQ(first.backend, "echo-1");
  EXPECT_EQ(upstreamCount("/cached/items?page=1"), 1);
  for (int i = 0; i < 4; ++i) {  // fresh connections: both workers serve from the one cache
    const Answer again = get("/cached/items?page=1");
    EXPECT_EQ(again.status, 200);
    EXPECT_EQ(again.x_cache, "HIT");
    EXPECT_NE(again.age, "<absent>");
    EXPECT_EQ(again.body, first.body) << "the stored response, byte for byte";
  }
  EXPECT_EQ(upstreamCount("/cached/items?page=1"), 1) << "hits never reach the backend";
  EXPECT_EQ(get("/cached/items?page=2").x_cache, "MISS") << "the query is part of the key";
}

TEST_F(CacheTest, RoutesWithoutTheCacheAndMethodsNotCached) {
  EXPECT_EQ(get("/plain/x").x_cache, "<absent>");
  EXPECT_EQ(get("/plain/x").x_cache, "<absent>");
  EXPECT_EQ(get("/cached/post", {}, "POST").x_cache, "BYPASS");
  EXPECT_EQ(get("/cached/post", {}, "POST").x_cache, "BYPASS");
}

TEST_F(CacheTest, EntriesExpireAfterTheirTtl) {
  EXPECT_EQ(get("/short/a").x_cache, "MISS");
  EXPECT_EQ(get("/short/a").x_cache, "HIT");
  // ttl: 1s. Bounded wait for a miss; nothing asserts how long it took.
  EXPECT_TRUE(becomesMiss("/short/a"));
  EXPECT_EQ(upstreamCount("/short/a"), 2);
}

TEST_F(CacheTest, ResponseMaxAgeOverridesTheTtl) {
  const http::HeaderList max_age = {{"x-echo-response-header", "Cache-Control: max-age=1"}};
  EXPECT_EQ(get("/cached/max-age", max_age).x_cache, "MISS");
  EXPECT_EQ(get("/cached/max-age", max_age).x_cache, "HIT");
  EXPECT_TRUE(waitUntil([&] { return get("/cached/max-age", max_age).x_cache == "MISS"; }, absl::Seconds(20),
                        absl::Milliseconds(50)))
      << "max-age=1 beats the route's ttl of 300 s";
}

TEST_F(CacheTest, VaryKeepsAVariantPerHeaderValue) {
  auto vary = [](const std::string& language) {
    return http::HeaderList{{"x-echo-response-header", "Vary: Accept-Language"}, {"accept-language", language}};
  };
  const Answer en = get("/cached/greeting", vary("en"));
  EXPECT_EQ(en.x_cache, "MISS");
  EXPECT_EQ(get("/cached/greeting", vary("en")).x_cache, "HIT");
  const Answer fr = get("/cached/greeting", vary("fr"));
  EXPECT_EQ(fr.x_cache, "MISS") << "another Accept-Language: another variant";
  const Answer fr_again = get("/cached/greeting", vary("fr"));
  EXPECT_EQ(fr_again.x_cache, "HIT");
  EXPECT_EQ(fr_again.body, fr.body);
  EXPECT_NE(fr_again.body, en.body) << "each variant is its own response";
  EXPECT_EQ(get("/cached/greeting", vary("en")).body, en.body);
  EXPECT_EQ(upstreamCount("/cached/greeting"), 2);
}

TEST_F(CacheTest, NoStorePrivateAndSetCookieAreNeverStored) {
  const std::vector<std::string> headers = {"Cache-Control: no-store", "Cache-Control: private, max-age=60",
                                            "Set-Cookie: s=1"};
  for (size_t i = 0; i < headers.size(); ++i) {
    const std::string& header = headers[i];
    const std::string target = cat("/cached/never-", i);
    const http::HeaderList knob = {{"x-echo-response-header", header}};
    EXPECT_EQ(get(target, knob).x_cache, "MISS") << header;
    EXPECT_EQ(get(target, knob).x_cache, "MISS") << header;
    EXPECT_EQ(upstreamCount(target), 2) << header;
  }
}

TEST_F(CacheTest, ConcurrentMissesMakeOneUpstreamRequest) {
  constexpr int kClients = 8;
  const std::string target = "/cached/slow";
  // The backend takes 600 ms: every client arrives while the first one is upstream.
  const http::HeaderList slow = {{"x-echo-delay-ms", "600"}};
  const double coalesced_before = metric("portico_proxy_cache_coalesced_total");
  std::vector<Answer> answers(kClients);
  std::vector<std::thread> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back([&answers, &slow, &target, i] { answers[i] = get(target, slow); });
  }
  for (std::thread& client : clients) client.join();
  int misses = 0;
  for (const Answer& answer : answers) {
    EXPECT_EQ(answer.status, 200);
    EXPECT_EQ(answer.body, answers[0].body) << "everyone gets the one response";
    misses += answer.x_cache == "MISS";
  }
  EXPECT_EQ(misses, 1);
  EXPECT_EQ(upstreamCount(target), 1) << "one upstream request for " << kClients << " concurrent clients";
  // Those that arrived while the first was upstream waited for it (on a loaded machine a client
  // may start only after it finished and get a plain hit: not counted here).
  EXPECT_GE(metric("portico_proxy_cache_coalesced_total") - coalesced_before, 1);
}

TEST_F(CacheTest, PurgesThroughPorticoctlReachTheProxy) {
  for (const char* target : {"/cached/p/1", "/cached/p/2", "/cached/q/1", "/other/p/1"}) {
    ASSERT_EQ(get(target).x_cache, "MISS");
    ASSERT_EQ(get(target).x_cache, "HIT");
  }
  // A route and a prefix: only /cached/p/1.
  const ToolRun one = ctl({"cache", "purge", "--route=cached", "--prefix=/cached/p/1"});
  ASSERT_EQ(one.exit_code, 0) << one;
  EXPECT_NE(one.out.find("queued: route cached, paths under /cached/p/1"), std::string::npos) << one.out;
  EXPECT_TRUE(becomesMiss("/cached/p/1"));
  EXPECT_EQ(get("/cached/p/2").x_cache, "HIT");
  EXPECT_EQ(get("/other/p/1").x_cache, "HIT");

  // A route: every entry of it, no other route's.
  const ToolRun route = ctl({"cache", "purge", "--route=other"});
  ASSERT_EQ(route.exit_code, 0) << route;
  EXPECT_TRUE(becomesMiss("/other/p/1"));
  EXPECT_EQ(get("/cached/p/2").x_cache, "HIT");

  // A prefix across routes.
  const ToolRun prefix = ctl({"cache", "purge", "--prefix=/cached/q"});
  ASSERT_EQ(prefix.exit_code, 0) << prefix;
  EXPECT_TRUE(becomesMiss("/cached/q/1"));
  EXPECT_EQ(get("/cached/p/2").x_cache, "HIT");

  // Everything.
  const ToolRun all = ctl({"cache", "purge"});
  ASSERT_EQ(all.exit_code, 0) << all;
  EXPECT_NE(all.out.find("queued: everything"), std::string::npos) << all.out;
  EXPECT_TRUE(becomesMiss("/cached/p/2"));

  const ToolRun listed = ctl({"cache", "purges"});
  ASSERT_EQ(listed.exit_code, 0) << listed;
  EXPECT_NE(listed.out.find("/cached/p/1"), std::string::npos) << listed.out;
  EXPECT_GE(metric("portico_proxy_cache_purged_entries_total"), 4);
  EXPECT_GE(metric("portico_proxy_cache_purges_total"), 4);
}

TEST_F(CacheTest, PurgeRefusesUnknownRoutesAndBadInput) {
  const ToolRun typo = ctl({"cache", "purge", "--route=cahced"});
  EXPECT_NE(typo.exit_code, 0);
  EXPECT_NE(typo.err.find("no route \"cahced\""), std::string::npos) << typo;
  const ToolRun relative = ctl({"cache", "purge", "--prefix=users"});
  EXPECT_NE(relative.exit_code, 0);
  EXPECT_NE(relative.err.find("must start with '/'"), std::string::npos) << relative;
  auto raw = gateway().cp().request("POST", "/v1/cache/purge", R"({"route": 1})");
  ASSERT_TRUE(raw.ok());
  EXPECT_EQ(raw->status, 400);
  EXPECT_EQ(localErrorCode(raw->body), "invalid_argument");
  // Without the admin token: refused.
  http::ClientRequest anonymous{"POST", "/v1/cache/purge", "{}", {}};
  auto refused = gateway().cp().send(anonymous);
  ASSERT_TRUE(refused.ok());
  EXPECT_EQ(refused->status, 401);
}

TEST_F(CacheTest, MetricsCountHitsMissesStoresAndBytes) {
  get("/cached/metrics");
  get("/cached/metrics");
  EXPECT_GE(metric("portico_proxy_cache_hits_total"), 1);
  EXPECT_GE(metric("portico_proxy_cache_misses_total"), 1);
  EXPECT_GE(metric("portico_proxy_cache_stores_total"), 1);
  EXPECT_GT(metric("portico_proxy_cache_bytes"), 0);
  EXPECT_GE(metric("portico_proxy_cache_entries"), 1);
  EXPECT_EQ(metric("portico_proxy_cache_capacity_bytes"), 8 << 20) << "the largest max_size configured";
}

}  // namespace
}  // namespace portico::testing
