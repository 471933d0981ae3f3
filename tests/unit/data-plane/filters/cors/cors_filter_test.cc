#include "data-plane/filters/cors/cors_filter.h"

#include <gtest/gtest.h>

#include "envoy/extensions/filters/http/cors/v3/cors.pb.h"
#include "tests/unit/data-plane/filters/filter_test_util.h"

namespace portico::dp::filters::cors {
namespace {

namespace cors_v3 = envoy::extensions::filters::http::cors::v3;
namespace bhttp = boost::beast::http;
using testing::packed;
using testing::RequestUnderTest;

class CorsFilterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto filter = corsFactory().createFilter(packed(cors_v3::Cors()), {});
    ASSERT_TRUE(filter.ok()) << filter.status();
    filter_ = *filter;
    cors_v3::CorsPolicy policy;
    policy.add_allow_origin_string_match()->set_exact("https://app.example.com");
    policy.add_allow_origin_string_match()->mutable_safe_regex()->set_regex(R"(https://[a-z]+\.example\.org)");
    policy.set_allow_methods("GET,POST");
    policy.set_allow_headers("Authorization");
    policy.set_expose_headers("X-Trace");
    policy.set_max_age("600");
    policy.mutable_allow_credentials()->set_value(true);
    auto config = corsFactory().createRouteConfig(packed(policy), {});
    ASSERT_TRUE(config.ok()) << config.status();
    policy_ = *config;
  }

  http::HttpFilterConstSharedPtr filter_;
  http::FilterRouteConfigConstSharedPtr policy_;
};

TEST_F(CorsFilterTest, AnswersAnAllowedPreflight) {
  RequestUnderTest r("/x", bhttp::verb::options);
  r.request.set(bhttp::field::origin, "https://app.example.com");
  r.state.cors_preflight = true;
  ASSERT_EQ(filter_->decodeHeaders(r.state, policy_.get()), http::FilterStatus::kLocalReply);
  EXPECT_EQ(r.state.reply.status, 200);
  EXPECT_EQ(r.state.reply.code, "") << "no JSON body";
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"access-control-allow-origin", "https://app.example.com"},
      {"access-control-allow-methods", "GET,POST"},
      {"access-control-allow-headers", "Authorization"},
      {"access-control-max-age", "600"},
      {"access-control-allow-credentials", "true"},
      {"vary", "Origin"}};
  EXPECT_EQ(r.state.reply.headers, expected);
}

TEST_F(CorsFilterTest, RegexOriginsMatchTheWholeOrigin) {
  RequestUnderTest ok("/x", bhttp::verb::options);
  ok.request.set(bhttp::field::origin, "https://shop.example.org");
  ok.state.cors_preflight = true;
  EXPECT_EQ(filter_->decodeHeaders(ok.state, policy_.get()), http::FilterStatus::kLocalReply);
  RequestUnderTest suffix("/x", bhttp::verb::options);
  suffix.request.set(bhttp::field::origin, "https://shop.example.org.evil.net");
  suffix.state.cors_preflight = true;
  EXPECT_EQ(filter_->decodeHeaders(suffix.state, policy_.get()), http::FilterStatus::kContinue);
}

TEST_F(CorsFilterTest, LeavesOtherPreflightsAndPlainRequestsAlone) {
  RequestUnderTest other("/x", bhttp::verb::options);
  other.request.set(bhttp::field::origin, "https://evil.example.net");
  other.state.cors_preflight = true;
  EXPECT_EQ(filter_->decodeHeaders(other.state, policy_.get()), http::FilterStatus::kContinue);
  RequestUnderTest plain("/x");
  plain.request.set(bhttp::field::origin, "https://app.example.com");
  EXPECT_EQ(filter_->decodeHeaders(plain.state, policy_.get()), http::FilterStatus::kContinue)
      << "not a preflight: nothing to answer";
}

TEST_F(CorsFilterTest, DecoratesResponsesToAllowedOrigins) {
  RequestUnderTest r("/x");
  r.request.set(bhttp::field::origin, "https://app.example.com");
  router::Response response;
  response.set(bhttp::field::vary, "Accept-Encoding");
  response.set(bhttp::field::access_control_allow_origin, "*");  // the upstream's own: replaced
  filter_->encodeHeaders(r.state, response, policy_.get());
  EXPECT_EQ(response[bhttp::field::access_control_allow_origin], "https://app.example.com");
  EXPECT_EQ(response[bhttp::field::access_control_allow_credentials], "true");
  EXPECT_EQ(response[bhttp::field::access_control_expose_headers], "X-Trace");
  EXPECT_EQ(response[bhttp::field::vary], "Accept-Encoding, Origin");
}

TEST_F(CorsFilterTest, OtherOriginsGetOnlyVary) {
  RequestUnderTest r("/x");
  r.request.set(bhttp::field::origin, "https://evil.example.net");
  router::Response response;
  filter_->encodeHeaders(r.state, response, policy_.get());
  EXPECT_EQ(response.count(bhttp::field::access_control_allow_origin), 0u);
  EXPECT_EQ(response[bhttp::field::vary], "Origin");
  RequestUnderTest none("/x");
  router::Response untouched;
  filter_->encodeHeaders(none.state, untouched, policy_.get());
  EXPECT_EQ(untouched.begin(), untouched.end()) << "no Origin: not a CORS request";
}

TEST_F(CorsFilterTest, RefusesBadPolicies) {
  cors_v3::CorsPolicy bad_regex;
  bad_regex.add_allow_origin_string_match()->mutable_safe_regex()->set_regex("(");
  EXPECT_FALSE(corsFactory().createRouteConfig(packed(bad_regex), {}).ok());
  cors_v3::CorsPolicy bad_age;
  bad_age.set_max_age("an hour");
  EXPECT_EQ(corsFactory().createRouteConfig(packed(bad_age), {}).status().message(),
            "max_age: \"an hour\" is not a number of seconds");
  EXPECT_FALSE(corsFactory().createFilter(packed(cors_v3::CorsPolicy()), {}).ok()) << "wrong type at the filter level";
}

}  // namespace
}  // namespace portico::dp::filters::cors
