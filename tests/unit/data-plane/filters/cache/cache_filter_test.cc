// The cache filter through its factory, as the snapshot compiler builds it: hit, miss, expiry
// (by ttl), Vary variants, no-store, X-Cache, Age; coalescing with waiters on other threads'
// io_contexts; purges staged by a config push and applied at commit.

#include "data-plane/filters/cache/cache_filter.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <atomic>
#include <future>
#include <thread>

#include "data-plane/config/snapshot.h"
#include "data-plane/filters/cache/response_cache.h"
#include "portico/filters/cache/v1/cache.pb.h"
#include "tests/unit/data-plane/filters/filter_test_util.h"

namespace portico::dp::filters::cache {
namespace {

namespace bhttp = boost::beast::http;
using filters::testing::packed;
using filters::testing::RequestUnderTest;
using CacheProto = portico::filters::cache::v1::Cache;

CacheProto config(int64_t ttl_seconds = 60) {
  CacheProto in;
  in.mutable_ttl()->set_seconds(ttl_seconds);
  in.set_include_query(true);
  in.set_max_size_bytes(1 << 20);
  return in;
}

struct Request : RequestUnderTest {
  explicit Request(std::string target, bhttp::verb method = bhttp::verb::get)
      : RequestUnderTest(std::move(target), method) {
    request.set(bhttp::field::host, "api.example.com");
    state.route_name = "api";
  }
};

router::Response upstream(std::string body, std::string cache_control = "") {
  router::Response response{bhttp::status::ok, 11};
  response.set(bhttp::field::content_type, "application/json");
  if (!cache_control.empty()) response.set(bhttp::field::cache_control, cache_control);
  response.body() = std::move(body);
  return response;
}

class CacheFilterTest : public ::testing::Test {
 protected:
  void build(const CacheProto& in) {
    http::FilterBuildContext context;
    context.worker_count = 4;
    context.cache = &cache_;
    cache_.beginCompile();
    auto filter = cacheFactory().createFilter(packed(in), context);
    ASSERT_TRUE(filter.ok()) << filter.status();
    filter_ = *filter;
    cache_.commit();
  }

  // A miss that goes upstream and gets `response` (stored when cacheable); returns what the
  // client gets.
  router::Response miss(Request& request, router::Response response) {
    EXPECT_EQ(filter_->decodeHeaders(request.state, nullptr), http::FilterStatus::kContinue);
    filter_->encodeHeaders(request.state, response, nullptr);
    return response;
  }

  // A request answered from the cache: the stored response (null when it was not a hit).
  std::unique_ptr<router::Response> hit(Request& request) {
    if (filter_->decodeHeaders(request.state, nullptr) != http::FilterStatus::kLocalReply) return nullptr;
    return std::move(request.state.reply.response);
  }

  ResponseCache cache_{4};
  http::HttpFilterConstSharedPtr filter_;
};

TEST_F(CacheFilterTest, MissStoresThenHitAnswersWithoutUpstream) {
  build(config());
  Request first("/items?page=1");
  const router::Response sent = miss(first, upstream("{\"n\":1}"));
  EXPECT_EQ(sent["x-cache"], "MISS");
  EXPECT_EQ(cache_.store().entries(), 1u);

  Request second("/items?page=1");
  auto cached = hit(second);
  ASSERT_NE(cached, nullptr);
  EXPECT_EQ(cached->result_int(), 200u);
  EXPECT_EQ(cached->body(), "{\"n\":1}");
  EXPECT_EQ((*cached)["x-cache"], "HIT");
  EXPECT_EQ((*cached)["age"], "0");
  EXPECT_EQ((*cached)[bhttp::field::content_type], "application/json");
  filter_->encodeHeaders(second.state, *cached, nullptr);  // a hit's encode changes nothing
  EXPECT_EQ((*cached)["x-cache"], "HIT");

  Request other_query("/items?page=2");
  EXPECT_EQ(hit(other_query), nullptr);
  EXPECT_EQ(cache_.stats().hits.total(), 1u);
  EXPECT_EQ(cache_.stats().misses.total(), 2u);
  EXPECT_EQ(cache_.stats().stores.total(), 1u);
}

TEST_F(CacheFilterTest, MethodsNotCachedAreBypassed) {
  build(config());
  Request post("/items", bhttp::verb::post);
  EXPECT_EQ(filter_->decodeHeaders(post.state, nullptr), http::FilterStatus::kContinue);
  router::Response response = upstream("{}");
  filter_->encodeHeaders(post.state, response, nullptr);
  EXPECT_EQ(response["x-cache"], "BYPASS");
  EXPECT_EQ(cache_.store().entries(), 0u);
  EXPECT_EQ(cache_.stats().bypasses.total(), 1u);
  Request upgrade("/items");
  upgrade.request.set(bhttp::field::upgrade, "websocket");
  EXPECT_EQ(filter_->decodeHeaders(upgrade.state, nullptr), http::FilterStatus::kContinue);
  EXPECT_EQ(upgrade.state.dataFor(filter_.get()), nullptr) << "an upgrade is never looked up";
}

TEST_F(CacheFilterTest, ExpiredEntriesAreMisses) {
  build(config(/*ttl_seconds=*/60));
  Request first("/short");
  miss(first, upstream("a", "max-age=1"));
  Request soon("/short");
  ASSERT_NE(hit(soon), nullptr);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // max-age=1 has passed
  Request later("/short");
  EXPECT_EQ(filter_->decodeHeaders(later.state, nullptr), http::FilterStatus::kContinue);
}

TEST_F(CacheFilterTest, NoStoreAndPrivateAreNotStored) {
  build(config());
  for (const char* directive : {"no-store", "private"}) {
    Request request(std::string("/x-") + directive);
    const router::Response sent = miss(request, upstream("secret", directive));
    EXPECT_EQ(sent["x-cache"], "MISS");
    Request again(std::string("/x-") + directive);
    EXPECT_EQ(hit(again), nullptr) << directive;
  }
  EXPECT_EQ(cache_.stats().not_stored[static_cast<size_t>(NotStored::kNoStore)]->total(), 1u);
  EXPECT_EQ(cache_.stats().not_stored[static_cast<size_t>(NotStored::kPrivate)]->total(), 1u);
}

TEST_F(CacheFilterTest, VaryKeepsOneVariantPerHeaderValue) {
  build(config());
  auto varied = [](std::string body) {
    router::Response response = upstream(std::move(body));
    response.set(bhttp::field::vary, "Accept-Language");
    return response;
  };
  Request en("/greeting");
  en.request.set("accept-language", "en");
  miss(en, varied("hello"));
  Request fr("/greeting");
  fr.request.set("accept-language", "fr");
  EXPECT_EQ(filter_->decodeHeaders(fr.state, nullptr), http::FilterStatus::kContinue) << "another variant: a miss";
  router::Response bonjour = varied("bonjour");
  filter_->encodeHeaders(fr.state, bonjour, nullptr);

  Request en_again("/greeting");
  en_again.request.set("accept-language", "en");
  auto cached_en = hit(en_again);
  ASSERT_NE(cached_en, nullptr);
  EXPECT_EQ(cached_en->body(), "hello");
  Request fr_again("/greeting");
  fr_again.request.set("accept-language", "fr");
  auto cached_fr = hit(fr_again);
  ASSERT_NE(cached_fr, nullptr);
  EXPECT_EQ(cached_fr->body(), "bonjour");
  Request none("/greeting");
  EXPECT_EQ(hit(none), nullptr) << "no Accept-Language is a variant of its own";
}

TEST_F(CacheFilterTest, HitsCarryTheirAgeAndNotTheLeadersRequestId) {
  build(config());
  Request first("/aged");
  router::Response response = upstream("a", "max-age=100");
  response.set(bhttp::field::age, "30");
  response.set("x-request-id", "leader-id");
  miss(first, std::move(response));
  Request second("/aged");
  auto cached = hit(second);
  ASSERT_NE(cached, nullptr);
  EXPECT_EQ((*cached)["age"], "30");
  // Without a listener in the state the filter does not know the id header: kept. With one:
  config::ListenerConfig listener;
  listener.request_id_header = "x-request-id";
  Request third("/aged2");
  third.state.listener = &listener;
  router::Response with_id = upstream("b");
  with_id.set("x-request-id", "leader-id");
  miss(third, std::move(with_id));
  Request fourth("/aged2");
  auto cached_without_id = hit(fourth);
  ASSERT_NE(cached_without_id, nullptr);
  EXPECT_EQ(cached_without_id->count("x-request-id"), 0u);
}

TEST_F(CacheFilterTest, PerRouteConfigOverridesTheDefault) {
  build(config());
  CacheProto route_in = config();
  route_in.clear_methods();
  route_in.add_methods("HEAD");
  http::FilterBuildContext context;
  context.cache = &cache_;
  auto route = cacheFactory().createRouteConfig(packed(route_in), context);
  ASSERT_TRUE(route.ok()) << route.status();
  Request get("/only-head");
  EXPECT_EQ(filter_->decodeHeaders(get.state, route->get()), http::FilterStatus::kContinue);
  router::Response response = upstream("x");
  filter_->encodeHeaders(get.state, response, route->get());
  EXPECT_EQ(response["x-cache"], "BYPASS");
}

TEST_F(CacheFilterTest, RedisBackendWithoutAnAddressIsRefusedClearly) {
  CacheProto in = config();
  in.set_backend(CacheProto::REDIS);
  http::FilterBuildContext context;
  context.cache = &cache_;
  auto filter = cacheFactory().createFilter(packed(in), context);
  ASSERT_FALSE(filter.ok());
  EXPECT_EQ(filter.status().message(), "redis.address: required with backend REDIS");
}

TEST_F(CacheFilterTest, CapacityIsTheLargestConfiguredAndZeroWithoutACacheFilter) {
  CacheProto small = config();
  small.set_max_size_bytes(1000);
  CacheProto large = config();
  large.set_max_size_bytes(5000);
  http::FilterBuildContext context;
  context.cache = &cache_;
  cache_.beginCompile();
  ASSERT_TRUE(cacheFactory().createFilter(packed(small), context).ok());
  ASSERT_TRUE(cacheFactory().createRouteConfig(packed(large), context).ok());
  cache_.commit();
  EXPECT_EQ(cache_.store().capacity(), 5000u);
  cache_.beginCompile();  // a snapshot without a cache filter
  cache_.commit();
  EXPECT_EQ(cache_.store().capacity(), 0u);
}

TEST_F(CacheFilterTest, PurgesInTheConfigAreAppliedOnceAtCommit) {
  build(config());
  for (const char* path : {"/users/1", "/users/2", "/orders/1"}) {
    Request request(path);
    miss(request, upstream(path));
  }
  ASSERT_EQ(cache_.store().entries(), 3u);
  CacheProto with_purge = config();
  with_purge.set_purge_epoch(42);
  auto* purge = with_purge.add_purges();
  purge->set_id(1);
  purge->set_route("api");
  purge->set_path_prefix("/users");
  build(with_purge);
  EXPECT_EQ(cache_.store().entries(), 1u);
  EXPECT_EQ(cache_.stats().purged_entries.load(), 2u);
  Request users("/users/1");
  miss(users, upstream("again"));
  build(with_purge);  // the same list again: already applied
  EXPECT_EQ(cache_.store().entries(), 2u);
  auto* all = with_purge.add_purges();
  all->set_id(2);
  build(with_purge);
  EXPECT_EQ(cache_.store().entries(), 0u);
  EXPECT_EQ(cache_.stats().purges.load(), 2u);
}

// ---- coalescing ------------------------------------------------------------------------------

// An io_context on its own thread: a worker.
class Worker {
 public:
  Worker() : guard_(io_.get_executor()), thread_([this] { io_.run(); }) {}
  ~Worker() {
    guard_.reset();
    thread_.join();
  }
  net::Executor executor() { return io_.get_executor(); }
  // Returns once everything posted to this worker so far has run (up to its next wait).
  void drain() {
    std::promise<void> done;
    boost::asio::post(io_, [&done] { done.set_value(); });
    done.get_future().wait();
  }

 private:
  boost::asio::io_context io_{1};
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_;
  std::thread thread_;
};

// Runs decodeHeadersAsync for `request` on `worker`; the future gives its status.
std::future<http::FilterStatus> waitOn(Worker& worker, const http::HttpFilter& filter, Request& request) {
  auto promise = std::make_shared<std::promise<http::FilterStatus>>();
  std::future<http::FilterStatus> result = promise->get_future();
  boost::asio::co_spawn(
      worker.executor(),
      [&filter, &request, promise]() -> net::Awaitable<void> {
        promise->set_value(co_await filter.decodeHeadersAsync(request.state, nullptr));
      },
      boost::asio::detached);
  return result;
}

TEST_F(CacheFilterTest, ConcurrentMissesWaitForTheLeaderAcrossWorkers) {
  build(config());
  Worker worker_a;
  Worker worker_b;
  Request leader("/slow");
  ASSERT_EQ(filter_->decodeHeaders(leader.state, nullptr), http::FilterStatus::kContinue);
  std::vector<std::unique_ptr<Request>> waiters;
  std::vector<std::future<http::FilterStatus>> results;
  for (int i = 0; i < 6; ++i) {
    waiters.push_back(std::make_unique<Request>("/slow"));
    waiters.back()->state.worker_index = static_cast<size_t>(i % 2 + 1);
    ASSERT_EQ(filter_->decodeHeaders(waiters.back()->state, nullptr), http::FilterStatus::kAsync);
    results.push_back(waitOn(i % 2 == 0 ? worker_a : worker_b, *filter_, *waiters.back()));
  }
  for (auto& result : results) {
    EXPECT_EQ(result.wait_for(std::chrono::milliseconds(100)), std::future_status::timeout) << "they wait";
  }
  router::Response response = upstream("once");
  filter_->encodeHeaders(leader.state, response, nullptr);  // stores, then wakes them
  for (size_t i = 0; i < results.size(); ++i) {
    ASSERT_EQ(results[i].wait_for(std::chrono::seconds(10)), std::future_status::ready);
    EXPECT_EQ(results[i].get(), http::FilterStatus::kLocalReply);
    ASSERT_NE(waiters[i]->state.reply.response, nullptr);
    EXPECT_EQ(waiters[i]->state.reply.response->body(), "once");
  }
  EXPECT_EQ(cache_.stats().coalesced.total(), 6u);
  EXPECT_EQ(cache_.stats().hits.total(), 6u);
  EXPECT_EQ(cache_.stats().misses.total(), 1u);
}

TEST_F(CacheFilterTest, WaitersGoUpstreamThemselvesWhenNothingWasStored) {
  build(config());
  Worker worker;
  Request leader("/personal");
  ASSERT_EQ(filter_->decodeHeaders(leader.state, nullptr), http::FilterStatus::kContinue);
  Request waiter("/personal");
  ASSERT_EQ(filter_->decodeHeaders(waiter.state, nullptr), http::FilterStatus::kAsync);
  auto result = waitOn(worker, *filter_, waiter);
  worker.drain();  // the waiter has registered: the fill had a waiter
  router::Response response = upstream("mine", "private");
  filter_->encodeHeaders(leader.state, response, nullptr);
  ASSERT_EQ(result.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_EQ(result.get(), http::FilterStatus::kContinue) << "released to fetch its own";
  // The key is marked: the next misses do not wait for each other.
  Request next("/personal");
  EXPECT_EQ(filter_->decodeHeaders(next.state, nullptr), http::FilterStatus::kContinue);
  Request next2("/personal");
  EXPECT_EQ(filter_->decodeHeaders(next2.state, nullptr), http::FilterStatus::kContinue);
}

TEST_F(CacheFilterTest, AnAbandonedLeaderReleasesItsWaiters) {
  build(config());
  Worker worker;
  auto leader = std::make_unique<Request>("/abandoned");
  ASSERT_EQ(filter_->decodeHeaders(leader->state, nullptr), http::FilterStatus::kContinue);
  Request waiter("/abandoned");
  ASSERT_EQ(filter_->decodeHeaders(waiter.state, nullptr), http::FilterStatus::kAsync);
  auto result = waitOn(worker, *filter_, waiter);
  leader.reset();  // the leader's request ends without a response (its per-request data goes)
  ASSERT_EQ(result.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_EQ(result.get(), http::FilterStatus::kContinue);
}

}  // namespace
}  // namespace portico::dp::filters::cache
