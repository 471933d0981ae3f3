#include "data-plane/filters/key_auth/key_auth_filter.h"

#include <gtest/gtest.h>

#include "absl/strings/escaping.h"
#include "data-plane/http/consumer.h"
#include "portico/filters/consumers/v1/consumers.pb.h"
#include "portico/filters/key_auth/v1/key_auth.pb.h"
#include "tests/unit/data-plane/filters/filter_test_util.h"

namespace portico::dp::filters::key_auth {
namespace {

using portico::filters::key_auth::v1::KeyAuth;
using testing::headerOr;
using testing::packed;
using testing::RequestUnderTest;

class KeyAuthFilterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    portico::filters::consumers::v1::Consumers consumers;
    auto* app = consumers.add_consumers();
    app->set_name("app");
    app->add_api_key_sha256(absl::BytesToHexString(http::sha256("good-key")));
    auto table = http::ConsumerTable::create(consumers);
    ASSERT_TRUE(table.ok());
    context_.consumers = *table;
    KeyAuth config;
    config.set_header("X-Api-Key");
    config.set_query("apikey");
    config.set_hide_credentials(true);
    auto filter = keyAuthFactory().createFilter(packed(config), context_);
    ASSERT_TRUE(filter.ok()) << filter.status();
    filter_ = *filter;
  }

  http::FilterBuildContext context_;
  http::HttpFilterConstSharedPtr filter_;
};

TEST_F(KeyAuthFilterTest, HeaderKeyIdentifiesTheConsumer) {
  RequestUnderTest r("/x");
  r.request.set("x-api-key", " good-key ");
  ASSERT_EQ(filter_->decodeHeaders(r.state, nullptr), http::FilterStatus::kContinue);
  ASSERT_NE(r.state.consumer, nullptr);
  EXPECT_EQ(r.state.consumer->name, "app");
  EXPECT_EQ(headerOr(r.request, "x-portico-consumer"), "app");
  EXPECT_EQ(headerOr(r.request, "x-api-key"), "<absent>") << "hidden";
}

TEST_F(KeyAuthFilterTest, QueryKeyIsRemovedFromTheTarget) {
  RequestUnderTest r("/x/y?a=1&apikey=good-key&b=2");
  ASSERT_EQ(filter_->decodeHeaders(r.state, nullptr), http::FilterStatus::kContinue);
  EXPECT_EQ(r.request.target(), "/x/y?a=1&b=2");
  EXPECT_EQ(r.state.path, "/x/y");
  EXPECT_EQ(r.state.query, "a=1&b=2");
  RequestUnderTest only("/x?apikey=good-key");
  ASSERT_EQ(filter_->decodeHeaders(only.state, nullptr), http::FilterStatus::kContinue);
  EXPECT_EQ(only.request.target(), "/x");
}

TEST_F(KeyAuthFilterTest, MissingOrUnknownKeysGet401) {
  RequestUnderTest missing("/x");
  ASSERT_EQ(filter_->decodeHeaders(missing.state, nullptr), http::FilterStatus::kLocalReply);
  EXPECT_EQ(missing.state.reply.status, 401);
  EXPECT_EQ(missing.state.reply.message, "no API key in header x-api-key or query parameter apikey");
  EXPECT_EQ(missing.state.reply.headers.front().first, "www-authenticate");
  RequestUnderTest wrong("/x");
  wrong.request.set("x-api-key", "GOOD-KEY");
  ASSERT_EQ(filter_->decodeHeaders(wrong.state, nullptr), http::FilterStatus::kLocalReply);
  EXPECT_EQ(wrong.state.reply.message, "invalid API key");
  EXPECT_EQ(wrong.state.consumer, nullptr);
}

TEST_F(KeyAuthFilterTest, RouteConfigReplacesTheFilterLevelOne) {
  KeyAuth route;
  route.set_header("x-route-key");
  route.set_hide_credentials(false);
  auto config = keyAuthFactory().createRouteConfig(packed(route), context_);
  ASSERT_TRUE(config.ok());
  RequestUnderTest r("/x?apikey=good-key");
  EXPECT_EQ(filter_->decodeHeaders(r.state, config->get()), http::FilterStatus::kLocalReply)
      << "the route takes no query key";
  RequestUnderTest h("/x");
  h.request.set("x-route-key", "good-key");
  EXPECT_EQ(filter_->decodeHeaders(h.state, config->get()), http::FilterStatus::kContinue);
  EXPECT_EQ(headerOr(h.request, "x-route-key"), "good-key") << "hide_credentials off";
}

TEST_F(KeyAuthFilterTest, WithoutConsumersEveryKeyFails) {
  auto filter = keyAuthFactory().createFilter(packed(KeyAuth()), http::FilterBuildContext{});
  ASSERT_TRUE(filter.ok());
  RequestUnderTest r("/x");
  r.request.set("x-api-key", "good-key");
  EXPECT_EQ((*filter)->decodeHeaders(r.state, nullptr), http::FilterStatus::kLocalReply);
}

}  // namespace
}  // namespace portico::dp::filters::key_auth
