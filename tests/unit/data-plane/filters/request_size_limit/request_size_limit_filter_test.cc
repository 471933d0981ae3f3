#include "data-plane/filters/request_size_limit/request_size_limit_filter.h"

#include <gtest/gtest.h>

#include "portico/filters/request_size_limit/v1/request_size_limit.pb.h"
#include "tests/unit/data-plane/filters/filter_test_util.h"

namespace portico::dp::filters::request_size_limit {
namespace {

using portico::filters::request_size_limit::v1::RequestSizeLimit;
using testing::packed;
using testing::RequestUnderTest;

TEST(RequestSizeLimitFilterTest, RefusesBodiesAndDeclaredLengthsOverTheLimit) {
  RequestSizeLimit config;
  config.set_max_body_bytes(10);
  auto filter = requestSizeLimitFactory().createFilter(packed(config), {});
  ASSERT_TRUE(filter.ok());
  RequestUnderTest small("/x", boost::beast::http::verb::post);
  small.request.body() = "0123456789";
  EXPECT_EQ((*filter)->decodeHeaders(small.state, nullptr), http::FilterStatus::kContinue);
  RequestUnderTest big("/x", boost::beast::http::verb::post);
  big.request.body() = "0123456789A";
  ASSERT_EQ((*filter)->decodeHeaders(big.state, nullptr), http::FilterStatus::kLocalReply);
  EXPECT_EQ(big.state.reply.status, 413);
  EXPECT_EQ(big.state.reply.code, "body_too_large");
  RequestUnderTest declared("/x", boost::beast::http::verb::post);
  declared.request.set(boost::beast::http::field::content_length, "1000");
  EXPECT_EQ((*filter)->decodeHeaders(declared.state, nullptr), http::FilterStatus::kLocalReply);
  RequestSizeLimit route;
  route.set_max_body_bytes(2000);
  auto larger = requestSizeLimitFactory().createRouteConfig(packed(route), {});
  ASSERT_TRUE(larger.ok());
  EXPECT_EQ((*filter)->decodeHeaders(declared.state, larger->get()), http::FilterStatus::kContinue)
      << "the route's own limit";
}

}  // namespace
}  // namespace portico::dp::filters::request_size_limit
