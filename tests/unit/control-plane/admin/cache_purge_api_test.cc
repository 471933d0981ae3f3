#include "control-plane/admin/cache_purge_api.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "common/strings.h"

namespace portico::cp::admin {
namespace {

namespace json = boost::json;

std::string errorOf(std::string_view body) {
  auto parsed = purgeFromJson(body);
  EXPECT_FALSE(parsed.ok()) << body;
  if (parsed.ok()) return "";
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument) << body;
  return std::string(parsed.status().message());
}

TEST(PurgeFromJsonTest, AcceptsTheDocumentedForms) {
  for (std::string_view everything : {"", "  ", "{}", R"({"route": null, "prefix": null})"}) {
    auto parsed = purgeFromJson(everything);
    ASSERT_TRUE(parsed.ok()) << everything << ": " << parsed.status();
    EXPECT_EQ(parsed->route, "");
    EXPECT_EQ(parsed->prefix, "");
  }
  auto both = purgeFromJson(R"({"route": "users", "prefix": "/users/1"})");
  ASSERT_TRUE(both.ok());
  EXPECT_EQ(both->route, "users");
  EXPECT_EQ(both->prefix, "/users/1");
}

TEST(PurgeFromJsonTest, RefusesBadBodies) {
  EXPECT_EQ(errorOf("{"), "body: not valid JSON (incomplete JSON)");
  EXPECT_EQ(errorOf("[]"), "body: must be a JSON object {\"route\"?: ..., \"prefix\"?: ...}");
  EXPECT_EQ(errorOf(R"({"route": 5})"), "route: must be a string");
  EXPECT_EQ(errorOf(R"({"prefix": ["/a"]})"), "prefix: must be a string");
  EXPECT_EQ(errorOf(R"({"route": ""})"), "route: must not be empty (leave it out to purge every route)");
  EXPECT_EQ(errorOf(R"({"prefix": ""})"), "prefix: must not be empty (leave it out to purge every path)");
  EXPECT_EQ(errorOf(R"({"path": "/a"})"), "path: unknown field; allowed: route, prefix");
  EXPECT_EQ(errorOf(R"({"prefix": "users"})"), "prefix: \"users\" must start with '/'");
  EXPECT_EQ(errorOf(R"({"prefix": "/a b"})"), "prefix: only visible ASCII characters (percent-encode the others)");
  EXPECT_EQ(errorOf(R"({"prefix": "/a?b=1"})"), "prefix: a path prefix has no query or fragment");
  EXPECT_EQ(errorOf(R"({"route": "a\u0001"})"), "route: control characters are not allowed");
  EXPECT_EQ(errorOf(cat(R"({"route": ")", std::string(300, 'r'), R"("})")),
            "route: 300 bytes is too long (at most 256)");
}

class CachePurgeRoutesTest : public ::testing::Test {
 protected:
  CachePurgeRoutesTest() : log_(registry::PurgeLog::Options{3, 99, [] { return absl::FromUnixSeconds(1800000000); }}) {
    addCachePurgeRoutes(router_, log_, [](const std::string& name) { return name == "users"; });
  }
  http::HttpResponse call(const std::string& method, const std::string& target, const std::string& body = "") {
    http::HttpRequest request;
    request.method = method;
    request.path = target;
    request.body = body;
    return router_.dispatch(request);
  }
  registry::PurgeLog log_;
  http::PathRouter router_;
};

TEST_F(CachePurgeRoutesTest, PostRecordsAndAnswers202) {
  const http::HttpResponse response = call("POST", "/v1/cache/purge", R"({"route": "users", "prefix": "/users/7"})");
  EXPECT_EQ(response.status, 202) << response.body;
  const json::value body = json::parse(response.body);
  EXPECT_EQ(body.at("epoch").to_number<uint64_t>(), 99u);
  EXPECT_EQ(body.at("purge").at("id").to_number<uint64_t>(), 1u);
  EXPECT_EQ(body.at("purge").at("route").as_string(), "users");
  EXPECT_EQ(body.at("purge").at("prefix").as_string(), "/users/7");
  EXPECT_EQ(body.at("purge").at("at").as_string(), "2027-01-15T08:00:00Z");
  const registry::PurgeList list = log_.list();
  ASSERT_EQ(list.purges.size(), 1u);
  EXPECT_EQ(list.purges[0].route, "users");
}

TEST_F(CachePurgeRoutesTest, UnknownRouteIs404AndBadBodyIs400AndNothingIsRecorded) {
  const http::HttpResponse unknown = call("POST", "/v1/cache/purge", R"({"route": "typo"})");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_NE(unknown.body.find("no route \\\"typo\\\""), std::string::npos) << unknown.body;
  const http::HttpResponse bad = call("POST", "/v1/cache/purge", R"({"nope": 1})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("\"error\":\"invalid_argument\""), std::string::npos) << bad.body;
  EXPECT_TRUE(log_.list().purges.empty());
}

TEST_F(CachePurgeRoutesTest, TheLogKeepsTheNewestAndIdsKeepCounting) {
  for (int i = 0; i < 5; ++i) ASSERT_EQ(call("POST", "/v1/cache/purge").status, 202);
  const http::HttpResponse listed = call("GET", "/v1/cache/purges");
  ASSERT_EQ(listed.status, 200);
  const json::value body = json::parse(listed.body);
  EXPECT_EQ(body.at("limit").to_number<uint64_t>(), 3u);
  const json::array& purges = body.at("purges").as_array();
  ASSERT_EQ(purges.size(), 3u);
  EXPECT_EQ(purges[0].at("id").to_number<uint64_t>(), 3u);
  EXPECT_EQ(purges[2].at("id").to_number<uint64_t>(), 5u);
  EXPECT_TRUE(purges[2].at("route").is_null());
}

}  // namespace
}  // namespace portico::cp::admin
