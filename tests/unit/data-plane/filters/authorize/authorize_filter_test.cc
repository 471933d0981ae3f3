#include "data-plane/filters/authorize/authorize_filter.h"

#include <gtest/gtest.h>

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>

#include "data-plane/http/consumer.h"
#include "portico/filters/authorize/v1/authorize.pb.h"
#include "tests/unit/data-plane/filters/filter_test_util.h"

namespace portico::dp::filters::authorize {
namespace {

using portico::filters::authorize::v1::Authorize;
using testing::packed;
using testing::RequestUnderTest;

http::HttpFilterConstSharedPtr build(const Authorize& config) {
  auto filter = authorizeFactory().createFilter(packed(config), {});
  EXPECT_TRUE(filter.ok()) << filter.status();
  return filter.ok() ? *filter : nullptr;
}

std::shared_ptr<const boost::json::object> claims(const char* text) {
  return std::make_shared<const boost::json::object>(boost::json::parse(text).as_object());
}

http::FilterStatus decide(const http::HttpFilter& filter, std::shared_ptr<const boost::json::object> jwt,
                          const http::Consumer* consumer = nullptr) {
  RequestUnderTest r("/x");
  r.state.jwt_claims = std::move(jwt);
  r.state.consumer = consumer;
  const http::FilterStatus status = filter.decodeHeaders(r.state, nullptr);
  if (status == http::FilterStatus::kLocalReply) {
    EXPECT_EQ(r.state.reply.status, 403);
  }
  return status;
}

constexpr auto kAllow = http::FilterStatus::kContinue;
constexpr auto kDeny = http::FilterStatus::kLocalReply;

TEST(AuthorizeFilterTest, RoleInASet) {
  Authorize config;
  auto* rule = config.add_any_of();
  rule->set_claim("role");
  rule->add_in("admin");
  rule->add_in("ops");
  auto filter = build(config);
  EXPECT_EQ(decide(*filter, claims(R"({"role":"ops"})")), kAllow);
  EXPECT_EQ(decide(*filter, claims(R"({"role":"user"})")), kDeny);
  EXPECT_EQ(decide(*filter, claims(R"({"role":["user","admin"]})")), kAllow) << "an array claim: any element";
  EXPECT_EQ(decide(*filter, claims(R"({"role":1})")), kDeny);
  EXPECT_EQ(decide(*filter, claims(R"({})")), kDeny);
  EXPECT_EQ(decide(*filter, nullptr), kDeny) << "no identity";
}

TEST(AuthorizeFilterTest, ScopeContainsAndNestedClaims) {
  Authorize config;
  auto* scope = config.add_all_of();
  scope->set_claim("scope");
  scope->set_contains("orders:write");
  auto* nested = config.add_all_of();
  nested->set_claim("realm_access.roles");
  nested->set_contains("buyer");
  auto filter = build(config);
  EXPECT_EQ(decide(*filter, claims(R"({"scope":"orders:read orders:write","realm_access":{"roles":["buyer"]}})")),
            kAllow);
  EXPECT_EQ(decide(*filter, claims(R"({"scope":"orders:writer","realm_access":{"roles":["buyer"]}})")), kDeny)
      << "whole tokens only";
  EXPECT_EQ(decide(*filter, claims(R"({"scope":"orders:write"})")), kDeny) << "all_of: both rules";
}

TEST(AuthorizeFilterTest, ConsumerGroupsAndAnyOf) {
  Authorize config;
  config.add_any_of()->set_consumer_group("partners");
  auto* role = config.add_any_of();
  role->set_claim("role");
  role->add_in("admin");
  auto filter = build(config);
  http::Consumer partner;
  partner.groups = {"partners"};
  http::Consumer other;
  other.groups = {"mobile"};
  EXPECT_EQ(decide(*filter, nullptr, &partner), kAllow);
  EXPECT_EQ(decide(*filter, nullptr, &other), kDeny);
  EXPECT_EQ(decide(*filter, claims(R"({"role":"admin"})"), &other), kAllow);
}

TEST(AuthorizeFilterTest, RefusesAmbiguousRules) {
  Authorize both;
  auto* rule = both.add_any_of();
  rule->set_claim("role");
  rule->set_consumer_group("g");
  EXPECT_EQ(authorizeFactory().createFilter(packed(both), {}).status().message(),
            "any_of[0]: exactly one of claim or consumer_group is required");
  Authorize neither;
  neither.add_all_of()->set_claim("role");
  EXPECT_EQ(authorizeFactory().createFilter(packed(neither), {}).status().message(),
            "all_of[0]: a claim rule needs exactly one of in or contains");
}

}  // namespace
}  // namespace portico::dp::filters::authorize
