#include "data-plane/filters/cache/cache_policy.h"

#include <gtest/gtest.h>

#include "portico/filters/cache/v1/cache.pb.h"

namespace portico::dp::filters::cache {
namespace {

namespace bhttp = boost::beast::http;

std::shared_ptr<const CacheSettings> settings(const portico::filters::cache::v1::Cache& in) {
  auto out = compileCacheSettings(in);
  EXPECT_TRUE(out.ok()) << out.status();
  return *out;
}

std::shared_ptr<const CacheSettings> defaults() { return settings(portico::filters::cache::v1::Cache()); }

router::Response ok(std::string body = "{}") {
  router::Response response{bhttp::status::ok, 11};
  response.set(bhttp::field::content_type, "application/json; charset=utf-8");
  response.body() = std::move(body);
  return response;
}

const router::Request kGet{bhttp::verb::get, "/a", 11};

NotStored reasonFor(const router::Response& response, const CacheSettings& s = *defaults(),
                    const router::Request& request = kGet) {
  const StoreDecision decision = decideStore(s, request, response, 1700000000);
  EXPECT_FALSE(decision.store);
  return decision.reason;
}

TEST(CachePolicyTest, DefaultsStoreA200ForTheConfiguredTtl) {
  const StoreDecision decision = decideStore(*defaults(), kGet, ok(), 1700000000);
  EXPECT_TRUE(decision.store);
  EXPECT_EQ(decision.ttl, kDefaultTtl);
  EXPECT_TRUE(decision.vary.names.empty());
}

TEST(CachePolicyTest, ResponseDirectivesRefuse) {
  auto response = ok();
  response.set(bhttp::field::cache_control, "no-store");
  EXPECT_EQ(reasonFor(response), NotStored::kNoStore);
  response.set(bhttp::field::cache_control, "private, max-age=60");
  EXPECT_EQ(reasonFor(response), NotStored::kPrivate);
  response.set(bhttp::field::cache_control, "no-cache");
  EXPECT_EQ(reasonFor(response), NotStored::kNoCache);
  response.set(bhttp::field::cache_control, "max-age=0");
  EXPECT_EQ(reasonFor(response), NotStored::kNotFresh);
}

TEST(CachePolicyTest, SetCookieVaryStarStatusContentTypeAndSize) {
  auto cookie = ok();
  cookie.set(bhttp::field::set_cookie, "session=abc");
  EXPECT_EQ(reasonFor(cookie), NotStored::kSetCookie);
  auto star = ok();
  star.set(bhttp::field::vary, "*");
  EXPECT_EQ(reasonFor(star), NotStored::kVaryStar);
  auto missing = ok();
  missing.result(bhttp::status::not_found);
  EXPECT_EQ(reasonFor(missing), NotStored::kStatus);

  portico::filters::cache::v1::Cache in;
  in.add_content_types("text/*");
  in.add_content_types("Application/JSON");
  in.set_max_size_bytes(1000);
  in.set_max_entry_bytes(100);
  const auto s = settings(in);
  EXPECT_TRUE(decideStore(*s, kGet, ok(), 0).store) << "application/json (parameters ignored)";
  auto html = ok();
  html.set(bhttp::field::content_type, "text/html");
  EXPECT_TRUE(decideStore(*s, kGet, html, 0).store) << "text/* takes any text subtype";
  auto image = ok();
  image.set(bhttp::field::content_type, "image/png");
  EXPECT_EQ(reasonFor(image, *s), NotStored::kContentType);
  EXPECT_EQ(reasonFor(ok(std::string(200, 'x')), *s), NotStored::kTooLarge);
}

TEST(CachePolicyTest, ConfiguredStatusesAreStored) {
  portico::filters::cache::v1::Cache in;
  in.add_statuses(200);
  in.add_statuses(404);
  auto missing = ok();
  missing.result(bhttp::status::not_found);
  EXPECT_TRUE(decideStore(*settings(in), kGet, missing, 0).store);
}

TEST(CachePolicyTest, AuthorizedRequestsNeedTheResponsesPermissionOrTheKey) {
  router::Request authorized{bhttp::verb::get, "/a", 11};
  authorized.set(bhttp::field::authorization, "Bearer t");
  EXPECT_EQ(reasonFor(ok(), *defaults(), authorized), NotStored::kAuthorization);
  for (const char* permission : {"public", "s-maxage=60", "must-revalidate"}) {
    auto response = ok();
    response.set(bhttp::field::cache_control, permission);
    EXPECT_TRUE(decideStore(*defaults(), authorized, response, 0).store) << permission;
  }
  portico::filters::cache::v1::Cache keyed;
  keyed.add_key_headers("Authorization");
  EXPECT_TRUE(decideStore(*settings(keyed), authorized, ok(), 0).store) << "each credential has its own entry";
}

TEST(CachePolicyTest, VaryNamesAreReturned) {
  auto response = ok();
  response.set(bhttp::field::vary, "Accept-Language");
  const StoreDecision decision = decideStore(*defaults(), kGet, response, 0);
  ASSERT_TRUE(decision.store);
  EXPECT_EQ(decision.vary.names, std::vector<std::string>{"accept-language"});
}

TEST(CachePolicyTest, StoredResponseDropsPerResponseFieldsAndTheGatewaysOwn) {
  auto response = ok("body");
  response.set(bhttp::field::connection, "close");
  response.set(bhttp::field::age, "5");
  response.set("x-cache", "MISS");
  response.set("x-request-id", "req-1");
  response.set(bhttp::field::via, "1.1 upstream-proxy, 1.1 portico");
  response.set(bhttp::field::content_length, "4");
  response.set("x-app", "kept");
  const StoredResponse stored = storedResponse(response, "x-request-id", "1.1 portico");
  EXPECT_EQ(stored.status, 200u);
  EXPECT_EQ(stored.body, "body");
  std::map<std::string, std::string> fields(stored.headers.begin(), stored.headers.end());
  EXPECT_EQ(fields.count("Connection"), 0u);
  EXPECT_EQ(fields.count("Age"), 0u);
  EXPECT_EQ(fields.count("x-cache"), 0u);
  EXPECT_EQ(fields.count("x-request-id"), 0u);
  EXPECT_EQ(fields["Via"], "1.1 upstream-proxy");
  EXPECT_EQ(fields["x-app"], "kept");
  EXPECT_EQ(fields["Content-Length"], "4") << "kept for HEAD answers; the session reframes GETs";
  // Only our own Via entry goes; a Via of ours alone goes entirely.
  response.set(bhttp::field::via, "1.1 portico");
  const StoredResponse alone = storedResponse(response, "x-request-id", "1.1 portico");
  for (const auto& [name, value] : alone.headers) EXPECT_NE(name, "Via");
}

TEST(CachePolicyTest, SettingsValidation) {
  portico::filters::cache::v1::Cache bad_method;
  bad_method.add_methods("POST");
  EXPECT_EQ(compileCacheSettings(bad_method).status().message(), "methods[0]: \"POST\" is not cacheable (GET or HEAD)");
  portico::filters::cache::v1::Cache bad_status;
  bad_status.add_statuses(99);
  EXPECT_EQ(compileCacheSettings(bad_status).status().message(), "statuses[0]: 99 is not a status (200..599)");
  portico::filters::cache::v1::Cache entry;
  entry.set_max_size_bytes(10);
  entry.set_max_entry_bytes(11);
  EXPECT_EQ(compileCacheSettings(entry).status().message(), "max_entry_bytes: 11 exceeds max_size_bytes (10)");
  portico::filters::cache::v1::Cache redis;
  redis.set_backend(portico::filters::cache::v1::Cache::REDIS);
  EXPECT_EQ(compileCacheSettings(redis).status().message(), "redis.address: required with backend REDIS");
  redis.mutable_redis()->set_address("no-port");
  EXPECT_FALSE(compileCacheSettings(redis).ok());
  redis.mutable_redis()->set_address("127.0.0.1:6379");
  auto shared = compileCacheSettings(redis);
  ASSERT_TRUE(shared.ok()) << shared.status();
  ASSERT_NE((*shared)->redis, nullptr);
  EXPECT_EQ((*shared)->redis->timeout(), std::chrono::milliseconds(50)) << "the plugin's default timeout";
  portico::filters::cache::v1::Cache get_only;
  get_only.add_methods("get");
  auto s = compileCacheSettings(get_only);
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE((*s)->cacheableMethod(bhttp::verb::get));
  EXPECT_FALSE((*s)->cacheableMethod(bhttp::verb::head));
  portico::filters::cache::v1::Cache zero_ttl;
  zero_ttl.mutable_ttl()->set_seconds(0);
  EXPECT_EQ((*compileCacheSettings(zero_ttl))->ttl.count(), 0) << "an explicit 0 s ttl is kept";
}

}  // namespace
}  // namespace portico::dp::filters::cache
