#include "common/http/path_router.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace portico::http {
namespace {

HttpRequest makeRequest(std::string method, std::string path) {
  HttpRequest request;
  request.method = std::move(method);
  request.path = std::move(path);
  return request;
}

// Echoes which handler ran and the captured parameters ("name=value;" in key order).
RouteHandler tagged(std::string tag) {
  return [tag](const HttpRequest& request, const PathParams& params) {
    std::string body = tag + ":";
    for (const auto& [key, value] : params) {
      body += key + "=" + value + ";";
    }
    return textResponse(body);
  };
}

class PathRouterTest : public ::testing::Test {
 protected:
  PathRouterTest() {
    router_.add("GET", "/v1/services", tagged("list"));
    router_.add("GET", "/v1/services/{service}", tagged("get"));
    router_.add("PUT", "/v1/services/{service}/instances/{id}", tagged("put"));
    router_.add("DELETE", "/v1/services/{service}/instances/{id}", tagged("delete"));
    router_.add("POST", "/v1/services/{service}/instances/{id}/heartbeat", tagged("heartbeat"));
  }
  PathRouter router_;
};

TEST_F(PathRouterTest, DispatchesLiteralPaths) {
  HttpResponse response = router_.dispatch(makeRequest("GET", "/v1/services"));
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "list:");
}

TEST_F(PathRouterTest, CapturesParameters) {
  HttpResponse response = router_.dispatch(makeRequest("PUT", "/v1/services/orders/instances/o-1"));
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "put:id=o-1;service=orders;");

  response = router_.dispatch(makeRequest("POST", "/v1/services/orders/instances/o-1/heartbeat"));
  EXPECT_EQ(response.body, "heartbeat:id=o-1;service=orders;");

  response = router_.dispatch(makeRequest("GET", "/v1/services/orders"));
  EXPECT_EQ(response.body, "get:service=orders;");
}

TEST_F(PathRouterTest, DecodesEachSegmentOfTheRawPath) {
  HttpRequest request = makeRequest("GET", "/v1/services/a/b");  // what decoding the whole path gives
  request.raw_path = "/v1/services/a%2Fb";
  EXPECT_EQ(router_.dispatch(request).body, "get:service=a/b;") << "an encoded '/' stays in its segment";
  request.raw_path = "/v1/services/caf%C3%A9%20x";
  EXPECT_EQ(router_.dispatch(request).body, "get:service=caf\xC3\xA9 x;");
  request.raw_path = "/v1/services/bad%zz";  // not percent-encoding: kept as received
  EXPECT_EQ(router_.dispatch(request).body, "get:service=bad%zz;");
}

TEST_F(PathRouterTest, IgnoresEmptySegments) {
  EXPECT_EQ(router_.dispatch(makeRequest("GET", "/v1/services/")).body, "list:");
  EXPECT_EQ(router_.dispatch(makeRequest("GET", "//v1//services")).body, "list:");
}

TEST_F(PathRouterTest, UnknownPathIs404Json) {
  HttpResponse response = router_.dispatch(makeRequest("GET", "/v2/nothing"));
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(response.content_type, "application/json");
  boost::json::value body = boost::json::parse(response.body);
  EXPECT_EQ(body.at("error").as_string(), "not_found");
  EXPECT_EQ(body.at("message").as_string(), "no such endpoint: /v2/nothing");
  // Too many or too few segments do not match a pattern either.
  EXPECT_EQ(router_.dispatch(makeRequest("PUT", "/v1/services/orders/instances")).status, 404);
  EXPECT_EQ(router_.dispatch(makeRequest("GET", "/v1/services/a/b")).status, 404);
}

TEST_F(PathRouterTest, WrongMethodIs405WithAllow) {
  HttpResponse response =
      router_.dispatch(makeRequest("POST", "/v1/services/orders/instances/o-1"));
  EXPECT_EQ(response.status, 405);
  boost::json::value body = boost::json::parse(response.body);
  EXPECT_EQ(body.at("error").as_string(), "method_not_allowed");
  EXPECT_EQ(body.at("message").as_string(),
            "method POST is not allowed on /v1/services/orders/instances/o-1");
  ASSERT_EQ(response.headers.size(), 1u);
  EXPECT_EQ(response.headers[0].first, "Allow");
  EXPECT_EQ(response.headers[0].second, "PUT, DELETE");

  response = router_.dispatch(makeRequest("DELETE", "/v1/services"));
  EXPECT_EQ(response.status, 405);
  ASSERT_EQ(response.headers.size(), 1u);
  EXPECT_EQ(response.headers[0].second, "GET");
}

TEST_F(PathRouterTest, HeadIsAnsweredByGet) {
  HttpResponse response = router_.dispatch(makeRequest("HEAD", "/v1/services/orders"));
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "get:service=orders;");
  // HEAD on a path without a GET handler is 405, not a call of another method's handler.
  response = router_.dispatch(makeRequest("HEAD", "/v1/services/orders/instances/o-1"));
  EXPECT_EQ(response.status, 405);
}

TEST(PathRouterOrderTest, FirstRegisteredMatchWins) {
  PathRouter router;
  router.add("GET", "/v1/{thing}", tagged("param"));
  router.add("GET", "/v1/literal", tagged("literal"));
  EXPECT_EQ(router.dispatch(makeRequest("GET", "/v1/literal")).body, "param:thing=literal;");
}

TEST(PathRouterOrderTest, ParametersDoNotLeakBetweenCandidates) {
  PathRouter router;
  router.add("POST", "/a/{x}", tagged("post"));
  router.add("GET", "/{y}/b", tagged("get"));
  EXPECT_EQ(router.dispatch(makeRequest("GET", "/a/b")).body, "get:y=a;");
}

}  // namespace
}  // namespace portico::http
