// The cache filter with backend REDIS, built through its factory, against a real redis-server:
// two ResponseCaches stand for two proxies sharing the server. A response stored through one is
// a hit through the other; the value's TTL is its freshness; a corrupt value is a miss and is
// overwritten; Vary variants; purges applied by both proxies change Redis once; a store fenced
// by a purge; Redis down or stalled is a counted miss, never a failed request.

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "common/strings.h"
#include "data-plane/filters/cache/cache_filter.h"
#include "data-plane/filters/cache/response_cache.h"
#include "portico/filters/cache/v1/cache.pb.h"
#include "tests/support/redis_server.h"
#include "tests/support/test_env.h"
#include "tests/unit/data-plane/filters/filter_test_util.h"
#include "tests/unit/data-plane/redis/redis_test_util.h"

namespace portico::dp::filters::cache {
namespace {

namespace bhttp = boost::beast::http;
using filters::testing::packed;
using filters::testing::RequestUnderTest;
using CacheProto = portico::filters::cache::v1::Cache;

struct Request : RequestUnderTest {
  explicit Request(std::string target) : RequestUnderTest(std::move(target)) {
    request.set(bhttp::field::host, "api.example.com");
    state.route_name = "api";
  }
};

router::Response upstream(std::string body, std::string cache_control = "max-age=30") {
  router::Response response{bhttp::status::ok, 11};
  response.set(bhttp::field::content_type, "text/plain");
  if (!cache_control.empty()) response.set(bhttp::field::cache_control, cache_control);
  response.body() = std::move(body);
  return response;
}

// One proxy: its process-wide cache and the filter of its current config.
struct Proxy {
  ResponseCache cache{2};
  http::HttpFilterConstSharedPtr filter;
};

class RedisCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = portico::testing::RedisServer::start(portico::testing::makeTempDir("redis-cache"));
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    for (Proxy* proxy : {&a_, &b_}) build(*proxy, config());
  }

  CacheProto config() const {
    CacheProto in;
    in.mutable_ttl()->set_seconds(60);
    in.set_include_query(true);
    in.set_backend(CacheProto::REDIS);
    in.mutable_redis()->set_address(server_->address());
    in.mutable_redis()->mutable_timeout()->set_seconds(2);  // generous: the machine may be loaded
    return in;
  }

  // A config push: the filter rebuilt, and what it staged (purges) applied.
  void build(Proxy& proxy, const CacheProto& in) {
    http::FilterBuildContext context;
    context.worker_count = 2;
    context.cache = &proxy.cache;
    proxy.cache.beginCompile();
    auto filter = cacheFactory().createFilter(packed(in), context);
    ASSERT_TRUE(filter.ok()) << filter.status();
    proxy.filter = *filter;
    proxy.cache.commit();
  }

  // decodeHeaders, and decodeHeadersAsync when it asks for it.
  http::FilterStatus decode(Proxy& proxy, Request& request) {
    const http::FilterStatus status = proxy.filter->decodeHeaders(request.state, nullptr);
    if (status != http::FilterStatus::kAsync) return status;
    auto async = redis::testing::runOne(io_, proxy.filter->decodeHeadersAsync(request.state, nullptr));
    EXPECT_TRUE(async.has_value()) << "decodeHeadersAsync did not finish";
    return async.value_or(http::FilterStatus::kContinue);
  }

  // encodeHeaders, then runs the store it started until it has finished.
  router::Response respond(Proxy& proxy, Request& request, router::Response response) {
    const CacheStats& stats = proxy.cache.stats();
    auto settled = [&stats] {
      uint64_t total = stats.stores.total() + stats.redis_store_errors.total();
      for (const auto& counter : stats.not_stored) total += counter->total();
      return total;
    };
    const uint64_t before = settled();
    proxy.filter->encodeHeaders(request.state, response, nullptr);
    runUntil([&] { return settled() > before; });
    return response;
  }

  // A miss that goes upstream and gets `response`: what the client got.
  router::Response miss(Proxy& proxy, const std::string& target, router::Response response) {
    Request request(target);
    EXPECT_EQ(decode(proxy, request), http::FilterStatus::kContinue) << target << " was expected to miss";
    return respond(proxy, request, std::move(response));
  }

  // A hit's response, or null.
  std::unique_ptr<router::Response> hit(Proxy& proxy, Request& request) {
    if (decode(proxy, request) != http::FilterStatus::kLocalReply) return nullptr;
    return std::move(request.state.reply.response);
  }
  std::unique_ptr<router::Response> hit(Proxy& proxy, const std::string& target) {
    Request request(target);
    return hit(proxy, request);
  }

  void runUntil(const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      if (io_.stopped()) io_.restart();
      io_.run_one_for(std::chrono::milliseconds(20));
    }
  }

  std::vector<std::string> entryKeys() const {
    auto keys = server_->command({"KEYS", "portico:cache:e:*"});
    EXPECT_TRUE(keys.ok()) << keys.status();
    if (!keys.ok() || keys->empty()) return {};
    return absl::StrSplit(*keys, ',');
  }

  void purge(const CacheProto& with_purges) {
    for (Proxy* proxy : {&a_, &b_}) {
      build(*proxy, with_purges);
      ASSERT_TRUE(proxy->cache.redisPurger().waitIdle(std::chrono::seconds(5)));
    }
  }

  boost::asio::io_context io_;
  std::unique_ptr<portico::testing::RedisServer> server_;
  Proxy a_;
  Proxy b_;
};

TEST_F(RedisCacheTest, AResponseStoredThroughOneProxyIsAHitThroughTheOther) {
  const router::Response sent = miss(a_, "/items?page=1", upstream("{\"n\":1}"));
  EXPECT_EQ(sent["x-cache"], "MISS");
  EXPECT_EQ(a_.cache.stats().stores.total(), 1u);
  EXPECT_EQ(a_.cache.store().entries(), 0u) << "backend REDIS keeps nothing in the proxy's memory";

  auto cached = hit(b_, "/items?page=1");
  ASSERT_NE(cached, nullptr);
  EXPECT_EQ(cached->result_int(), 200u);
  EXPECT_EQ(cached->body(), "{\"n\":1}");
  EXPECT_EQ((*cached)["x-cache"], "HIT");
  EXPECT_EQ((*cached)["age"], "0");
  EXPECT_EQ((*cached)[bhttp::field::content_type], "text/plain");
  EXPECT_EQ(b_.cache.stats().hits.total(), 1u);
  EXPECT_EQ(hit(b_, "/items?page=2"), nullptr) << "another query, another key";
  EXPECT_EQ(b_.cache.stats().misses.total(), 1u);
}

TEST_F(RedisCacheTest, TheEntrysTtlIsItsFreshness) {
  miss(a_, "/ttl", upstream("x", "max-age=30"));
  const auto keys = entryKeys();
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_EQ(keys[0].rfind("portico:cache:e:api /ttl 0.0:", 0), 0u) << keys[0];
  auto ttl = server_->command({"PTTL", keys[0]});
  ASSERT_TRUE(ttl.ok()) << ttl.status();
  int64_t ms = 0;
  ASSERT_TRUE(absl::SimpleAtoi(*ttl, &ms)) << *ttl;
  EXPECT_GT(ms, 25'000);
  EXPECT_LE(ms, 30'000);
  // Age on arrival shortens it; the plugin's ttl applies when the response says nothing.
  router::Response aged = upstream("y", "max-age=30");
  aged.set(bhttp::field::age, "20");
  miss(a_, "/aged", std::move(aged));
  miss(a_, "/default", upstream("z", ""));
  for (const std::string& key : entryKeys()) {
    auto left = server_->command({"PTTL", key});
    ASSERT_TRUE(left.ok() && absl::SimpleAtoi(*left, &ms));
    if (key.find(" /aged ") != std::string::npos) {
      EXPECT_LE(ms, 10'000);
    } else if (key.find(" /default ") != std::string::npos) {
      EXPECT_GT(ms, 55'000);
    }
  }
  auto aged_hit = hit(b_, "/aged");
  ASSERT_NE(aged_hit, nullptr);
  EXPECT_EQ((*aged_hit)["age"], "20");
}

TEST_F(RedisCacheTest, AnExpiredEntryIsAMiss) {
  miss(a_, "/short", upstream("a", "max-age=1"));
  ASSERT_NE(hit(b_, "/short"), nullptr);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!entryKeys().empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(hit(b_, "/short"), nullptr);
}

TEST_F(RedisCacheTest, ACorruptValueIsAMissAndIsOverwritten) {
  miss(a_, "/corrupt", upstream("good"));
  const auto keys = entryKeys();
  ASSERT_EQ(keys.size(), 1u);
  for (const std::string& garbage : {std::string("garbage"), std::string("PCE1\x01\x00", 6), std::string()}) {
    ASSERT_TRUE(server_->command({"SET", keys[0], garbage, "EX", "60"}).ok());
    EXPECT_EQ(hit(b_, "/corrupt"), nullptr) << "garbage of " << garbage.size() << " bytes";
  }
  miss(b_, "/corrupt", upstream("fresh"));
  auto cached = hit(a_, "/corrupt");
  ASSERT_NE(cached, nullptr);
  EXPECT_EQ(cached->body(), "fresh");
}

TEST_F(RedisCacheTest, VaryKeepsOneEntryPerVariantBehindAMarker) {
  // Requests are kept by pointer: a FilterState points into its request.
  auto fetch = [&](Proxy& proxy, const std::string& language, http::FilterStatus expected) {
    auto request = std::make_unique<Request>("/greeting");
    request->request.set(bhttp::field::accept_language, language);
    EXPECT_EQ(decode(proxy, *request), expected) << language;
    return request;
  };
  auto varied = [](std::string body) {
    router::Response response = upstream(std::move(body));
    response.set(bhttp::field::vary, "Accept-Language");
    return response;
  };
  auto en = fetch(a_, "en", http::FilterStatus::kContinue);
  respond(a_, *en, varied("hello"));
  EXPECT_EQ(entryKeys().size(), 2u) << "the marker and the variant";
  auto fr = fetch(b_, "fr", http::FilterStatus::kContinue);  // another variant
  respond(b_, *fr, varied("bonjour"));
  EXPECT_EQ(entryKeys().size(), 3u);
  for (auto [language, body] : {std::pair{"en", "hello"}, std::pair{"fr", "bonjour"}}) {
    for (Proxy* proxy : {&a_, &b_}) {
      auto request = fetch(*proxy, language, http::FilterStatus::kLocalReply);
      ASSERT_NE(request->state.reply.response, nullptr);
      EXPECT_EQ(request->state.reply.response->body(), body);
    }
  }
}

TEST_F(RedisCacheTest, ConcurrentMissesInOneProxyWaitForTheLeadersStore) {
  Request leader("/popular");
  ASSERT_EQ(decode(a_, leader), http::FilterStatus::kContinue);
  Request waiter("/popular");
  ASSERT_EQ(a_.filter->decodeHeaders(waiter.state, nullptr), http::FilterStatus::kAsync);
  std::optional<http::FilterStatus> waited;
  boost::asio::co_spawn(io_.get_executor(),
                        redis::testing::storeResult(a_.filter->decodeHeadersAsync(waiter.state, nullptr), &waited),
                        boost::asio::detached);
  // The waiter looked Redis up, missed and joined the leader's fill.
  runUntil([&] { return a_.cache.stats().misses.total() == 1 && a_.cache.stats().redis_lookup_errors.total() == 0 &&
                        io_.poll() == 0; });
  EXPECT_FALSE(waited.has_value()) << "the waiter must wait for the leader";
  respond(a_, leader, upstream("popular"));
  runUntil([&] { return waited.has_value(); });
  ASSERT_TRUE(waited.has_value());
  EXPECT_EQ(*waited, http::FilterStatus::kLocalReply) << "answered from what the leader stored";
  EXPECT_EQ(waiter.state.reply.response->body(), "popular");
  EXPECT_EQ(a_.cache.stats().coalesced.total(), 1u);
}

TEST_F(RedisCacheTest, UncacheableResponsesAreNotStored) {
  miss(a_, "/private", upstream("secret", "private"));
  router::Response cookie = upstream("session");
  cookie.set(bhttp::field::set_cookie, "s=1");
  miss(a_, "/cookie", std::move(cookie));
  EXPECT_TRUE(entryKeys().empty());
  EXPECT_EQ(a_.cache.stats().not_stored[static_cast<size_t>(NotStored::kPrivate)]->total(), 1u);
  EXPECT_EQ(a_.cache.stats().not_stored[static_cast<size_t>(NotStored::kSetCookie)]->total(), 1u);
}

TEST_F(RedisCacheTest, ARoutePurgeAppliedByBothProxiesChangesRedisOnce) {
  miss(a_, "/items/1", upstream("1"));
  miss(a_, "/items/2", upstream("2"));
  ASSERT_NE(hit(b_, "/items/1"), nullptr);
  CacheProto with_purge = config();
  with_purge.set_purge_epoch(77);
  auto* purge = with_purge.add_purges();
  purge->set_id(1);
  purge->set_route("api");
  this->purge(with_purge);
  EXPECT_EQ(server_->command({"GET", "portico:cache:g:api"}).value_or("?"), "1") << "INCRed once, not per proxy";
  EXPECT_EQ(hit(a_, "/items/1"), nullptr);
  EXPECT_EQ(hit(b_, "/items/2"), nullptr);
  // Stored again under the new generation; a later push with the same list changes nothing.
  miss(b_, "/items/1", upstream("1 again"));
  this->purge(with_purge);
  auto cached = hit(a_, "/items/1");
  ASSERT_NE(cached, nullptr);
  EXPECT_EQ(cached->body(), "1 again");
}

TEST_F(RedisCacheTest, APrefixPurgeUnlinksOnlyThePathsUnderIt) {
  miss(a_, "/items/1", upstream("1"));
  miss(a_, "/items/2?x=1", upstream("2"));
  miss(a_, "/itemsx", upstream("x"));
  miss(a_, "/other", upstream("o"));
  ASSERT_EQ(entryKeys().size(), 4u);
  CacheProto with_purge = config();
  with_purge.set_purge_epoch(78);
  auto* purge = with_purge.add_purges();
  purge->set_id(1);
  purge->set_path_prefix("/items/");
  this->purge(with_purge);
  EXPECT_EQ(entryKeys().size(), 2u);
  EXPECT_EQ(hit(b_, "/items/1"), nullptr);
  EXPECT_EQ(hit(b_, "/items/2?x=1"), nullptr);
  EXPECT_NE(hit(b_, "/itemsx"), nullptr);
  EXPECT_NE(hit(b_, "/other"), nullptr);
  EXPECT_EQ(a_.cache.stats().purged_entries.load() + b_.cache.stats().purged_entries.load(), 2u)
      << "one proxy unlinked them; the other found the purge's marker";
}

TEST_F(RedisCacheTest, AResponseFetchedBeforeAPurgeIsNotStoredAfterIt) {
  Request request("/slow");
  ASSERT_EQ(decode(a_, request), http::FilterStatus::kContinue);
  CacheProto with_purge = config();
  with_purge.set_purge_epoch(79);
  with_purge.add_purges()->set_id(1);  // everything
  build(b_, with_purge);
  ASSERT_TRUE(b_.cache.redisPurger().waitIdle(std::chrono::seconds(5)));
  respond(a_, request, upstream("stale"));
  EXPECT_EQ(a_.cache.stats().not_stored[static_cast<size_t>(NotStored::kPurged)]->total(), 1u);
  EXPECT_TRUE(entryKeys().empty());
}

TEST_F(RedisCacheTest, RedisDownOrStalledIsACountedMissNeverAFailure) {
  miss(a_, "/up", upstream("up"));
  server_->pause();  // accepts, never answers: every command times out (2 s)
  Request stalled("/up");
  EXPECT_EQ(decode(b_, stalled), http::FilterStatus::kContinue);
  router::Response response = upstream("from upstream");
  b_.filter->encodeHeaders(stalled.state, response, nullptr);
  EXPECT_EQ(response["x-cache"], "MISS");
  EXPECT_EQ(b_.cache.stats().redis_lookup_errors.total(), 1u);
  server_->resume();
  server_->kill();
  for (int i = 0; i < 3; ++i) {
    Request down("/up");
    EXPECT_EQ(decode(a_, down), http::FilterStatus::kContinue);
    router::Response r = upstream("from upstream");
    a_.filter->encodeHeaders(down.state, r, nullptr);
    EXPECT_EQ(r["x-cache"], "MISS");
  }
  EXPECT_EQ(a_.cache.stats().redis_lookup_errors.total(), 3u);
  EXPECT_EQ(a_.cache.stats().misses.total(), 4u);
  EXPECT_EQ(a_.cache.stats().stores.total(), 1u) << "nothing is stored while Redis fails";
}

}  // namespace
}  // namespace portico::dp::filters::cache
