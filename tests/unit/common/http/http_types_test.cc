#include "common/http/http_types.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace portico::http {
namespace {

HttpRequest withQuery(std::string query) {
  HttpRequest request;
  request.method = "GET";
  request.path = "/v1/config_dump";
  request.query = std::move(query);
  return request;
}

TEST(HttpRequestTest, QueryParamFindsPlainValues) {
  const HttpRequest request = withQuery("group=web&verbose=1&empty=&flag");
  EXPECT_EQ(request.queryParam("group"), "web");
  EXPECT_EQ(request.queryParam("verbose"), "1");
  EXPECT_EQ(request.queryParam("empty"), "");
  EXPECT_EQ(request.queryParam("flag"), "");
  EXPECT_EQ(request.queryParam("missing"), "");
}

TEST(HttpRequestTest, QueryParamReturnsTheFirstOccurrence) {
  EXPECT_EQ(withQuery("group=a&group=b").queryParam("group"), "a");
}

TEST(HttpRequestTest, QueryParamOnEmptyQuery) { EXPECT_EQ(withQuery("").queryParam("group"), ""); }

// Query parameters are compared and returned percent-decoded.
TEST(HttpRequestTest, QueryParamDecodesPercentEncoding) {
  EXPECT_EQ(withQuery("group=my%2Dgroup").queryParam("group"), "my-group");
  EXPECT_EQ(withQuery("prefix=%2Fv1%2Fapi").queryParam("prefix"), "/v1/api");
  EXPECT_EQ(withQuery("na%6De=x").queryParam("name"), "x");
}

TEST(HttpRequestTest, HeaderLooksUpLowerCaseNames) {
  HttpRequest request;
  request.headers = {{"content-type", "application/json"}, {"x-a", "1"}, {"x-a", "2"}};
  ASSERT_NE(request.header("x-a"), nullptr);
  EXPECT_EQ(*request.header("x-a"), "1");
  EXPECT_EQ(*request.header("content-type"), "application/json");
  EXPECT_EQ(request.header("accept"), nullptr);
}

TEST(HttpResponseTest, JsonErrorHasCodeAndMessage) {
  HttpResponse response = jsonError(404, "not_found", "no \"such\" thing");
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(response.content_type, "application/json");
  boost::json::value body = boost::json::parse(response.body);
  EXPECT_EQ(body.at("error").as_string(), "not_found");
  EXPECT_EQ(body.at("message").as_string(), "no \"such\" thing");
  EXPECT_EQ(body.as_object().size(), 2u);
}

TEST(HttpResponseTest, JsonAndTextResponses) {
  HttpResponse json = jsonResponse("{}", 201);
  EXPECT_EQ(json.status, 201);
  EXPECT_EQ(json.body, "{}");
  EXPECT_EQ(json.content_type, "application/json");
  HttpResponse text = textResponse("ok");
  EXPECT_EQ(text.status, 200);
  EXPECT_EQ(text.content_type, "text/plain; charset=utf-8");
}

}  // namespace
}  // namespace portico::http
