#include "data-plane/filters/jwt_authn/jwt_authn_filter.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <google/protobuf/any.pb.h>
#include <google/protobuf/text_format.h>

#include <boost/json/object.hpp>

#include "common/strings.h"
#include "data-plane/filters/jwt_authn/jwt_authn_factory.h"
#include "data-plane/http/consumer.h"
#include "envoy/extensions/filters/http/jwt_authn/v3/config.pb.h"
#include "portico/filters/consumers/v1/consumers.pb.h"
#include "portico/filters/jwt_policy/v1/jwt_policy.pb.h"
#include "tests/support/jwt_test_keys.h"
#include "tests/unit/data-plane/filters/jwt_authn/jwt_filter_test_util.h"

namespace portico::dp::filters::jwt_authn {
namespace {

namespace v3 = envoy::extensions::filters::http::jwt_authn::v3;
using portico::testing::jwksOf;
using portico::testing::mintJwt;
using portico::testing::mintJwtWithHeader;
using portico::testing::TestKey;
using testing::runFilter;
using testing::TestRequest;
using ::testing::HasSubstr;

constexpr int64_t kNow = 1'700'000'000;

std::string escaped(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

class JwtAuthnFilterTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    a_ = new TestKey(TestKey::rsa("a-1"));
    b_ = new TestKey(TestKey::ecP256("b-1"));
  }

  // Providers "a" (issuer https://a, RSA key, claims → headers, consumer claim) and "b"
  // (issuer https://b, EC key, token in x-b-token), then `rest` (requirements, rules).
  absl::Status configure(const std::string& rest, const std::string& provider_extra = "",
                         portico::filters::jwt_policy::v1::JwtPolicy policy = {}) {
    const std::string text = cat(R"(
      providers { key: "a" value {
        issuer: "https://a"
        local_jwks { inline_string: ")", escaped(jwksOf({a_})), R"(" }
        claim_to_headers { header_name: "x-user-id" claim_name: "sub" }
        claim_to_headers { header_name: "x-user-role" claim_name: "realm.role" }
        forward: true )", provider_extra, R"( } }
      providers { key: "b" value {
        issuer: "https://b"
        local_jwks { inline_string: ")", escaped(jwksOf({b_})), R"(" }
        from_headers { name: "x-b-token" }
        claim_to_headers { header_name: "x-b-sub" claim_name: "sub" }
      } }
    )", rest);
    v3::JwtAuthentication proto;
    if (!google::protobuf::TextFormat::ParseFromString(text, &proto)) return absl::InvalidArgumentError("bad text");
    google::protobuf::Any any;
    any.PackFrom(proto);
    google::protobuf::Any policy_any;
    policy_any.PackFrom(policy);
    http::FilterBuildContext context;
    context.worker_count = 1;
    context.jwt_policy = &policy_any;
    context.consumers = consumers_;
    JwtAuthnFactory factory([] { return kNow; });
    auto filter = factory.createFilter(any, context);
    if (!filter.ok()) return filter.status();
    filter_ = *filter;
    return absl::OkStatus();
  }

  http::FilterRouteConfigConstSharedPtr routeConfig(const std::string& text) {
    v3::PerRouteConfig proto;
    EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &proto));
    google::protobuf::Any any;
    any.PackFrom(proto);
    return *jwtAuthnFactory().createRouteConfig(any, {});
  }

  static std::string tokenA(const std::string& extra = "") {
    return mintJwt(*a_, "RS256", cat(R"({"iss":"https://a","sub":"alice","realm":{"role":"admin"},"exp":)",
                                     kNow + 300, extra, "}"));
  }
  static std::string tokenB() { return mintJwt(*b_, "ES256", R"({"iss":"https://b","sub":"bob"})"); }

  http::FilterStatus run(TestRequest& request, const http::FilterRouteConfig* route = nullptr) {
    return runFilter(*filter_, request, route);
  }

  static TestKey* a_;
  static TestKey* b_;
  std::shared_ptr<const http::ConsumerTable> consumers_;
  http::HttpFilterConstSharedPtr filter_;
};
TestKey* JwtAuthnFilterTest::a_ = nullptr;
TestKey* JwtAuthnFilterTest::b_ = nullptr;

constexpr char kRequireA[] = R"(rules { match { prefix: "/" } requires_ { provider_name: "a" } })";

TEST_F(JwtAuthnFilterTest, ValidTokenPassesWithClaimHeadersAndState) {
  ASSERT_TRUE(configure(kRequireA).ok());
  TestRequest request("/api", {{"Authorization", cat("Bearer ", tokenA())}});
  ASSERT_EQ(run(request), http::FilterStatus::kContinue);
  EXPECT_EQ(request.values("x-user-id"), std::vector<std::string>{"alice"});
  EXPECT_EQ(request.values("x-user-role"), std::vector<std::string>{"admin"});
  ASSERT_NE(request.state.jwt_claims, nullptr);
  EXPECT_EQ(request.state.jwt_claims->at("sub").as_string(), "alice");
  EXPECT_EQ(request.state.jwt_provider, "a");
  EXPECT_EQ(request.values("authorization").size(), 1u);  // forward: true
}

TEST_F(JwtAuthnFilterTest, SpoofedIdentityHeadersAreAlwaysCleared) {
  ASSERT_TRUE(configure(cat(kRequireA, R"( rules { match { prefix: "/public" } })")).ok());
  // A valid token without a role: the client's x-user-role must not survive.
  const std::string no_role = mintJwt(*a_, "RS256", R"({"iss":"https://a","sub":"alice"})");
  TestRequest request("/api", {{"Authorization", cat("Bearer ", no_role)},
                               {"X-User-Id", "root"}, {"x-user-role", "admin"}, {"x-b-sub", "x"}});
  ASSERT_EQ(run(request), http::FilterStatus::kContinue);
  EXPECT_EQ(request.values("x-user-id"), std::vector<std::string>{"alice"});
  EXPECT_TRUE(request.values("x-user-role").empty());
  EXPECT_TRUE(request.values("x-b-sub").empty());
  // Rules are ordered: /public matches the first rule "/" here, so reorder to test a public path.
  ASSERT_TRUE(configure(cat(R"(rules { match { prefix: "/public" } } )", kRequireA)).ok());
  TestRequest open("/public/x", {{"x-user-id", "root"}});
  ASSERT_EQ(run(open), http::FilterStatus::kContinue);
  EXPECT_TRUE(open.values("x-user-id").empty());
  // …and on a refused request too (the reply goes back, but nothing else may read them).
  TestRequest refused("/api", {{"x-user-id", "root"}});
  ASSERT_EQ(run(refused), http::FilterStatus::kLocalReply);
  EXPECT_TRUE(refused.values("x-user-id").empty());
  // …and on a route that disables the filter.
  auto disabled = routeConfig("disabled: true");
  TestRequest off("/api", {{"x-user-id", "root"}});
  ASSERT_EQ(run(off, disabled.get()), http::FilterStatus::kContinue);
  EXPECT_TRUE(off.values("x-user-id").empty());
}

TEST_F(JwtAuthnFilterTest, MissingTokenGets401WithABareChallenge) {
  ASSERT_TRUE(configure(kRequireA).ok());
  TestRequest request("/api/items?q=1");
  ASSERT_EQ(run(request), http::FilterStatus::kLocalReply);
  EXPECT_EQ(request.state.reply.status, 401);
  EXPECT_EQ(request.state.reply.code, "jwt_missing");
  EXPECT_EQ(request.state.reply.message, "Jwt is missing");
  ASSERT_EQ(request.state.reply.headers.size(), 1u);
  EXPECT_EQ(request.state.reply.headers[0].first, "WWW-Authenticate");
  EXPECT_EQ(request.state.reply.headers[0].second, "Bearer realm=\"http://api.example.com/api/items\"");
}

TEST_F(JwtAuthnFilterTest, InvalidTokenGets401InvalidToken) {
  ASSERT_TRUE(configure(kRequireA).ok());
  const TestKey stranger = TestKey::rsa("a-1");  // same kid, another key
  TestRequest request("/api", {{"Authorization", cat("Bearer ", mintJwt(stranger, "RS256", R"({"iss":"https://a"})"))}});
  ASSERT_EQ(run(request), http::FilterStatus::kLocalReply);
  EXPECT_EQ(request.state.reply.status, 401);
  EXPECT_EQ(request.state.reply.code, "jwt_bad_signature");
  EXPECT_EQ(request.state.reply.headers[0].second,
            "Bearer realm=\"http://api.example.com/api\", error=\"invalid_token\"");
  TestRequest expired("/api", {{"Authorization", cat("Bearer ", mintJwt(*a_, "RS256", R"({"iss":"https://a","exp":1})"))}});
  expired.state.tls = true;
  ASSERT_EQ(run(expired), http::FilterStatus::kLocalReply);
  EXPECT_EQ(expired.state.reply.code, "jwt_expired");
  EXPECT_EQ(expired.state.reply.headers[0].second,
            "Bearer realm=\"https://api.example.com/api\", error=\"invalid_token\"");
}

TEST_F(JwtAuthnFilterTest, EveryTokenMustBeValid) {
  ASSERT_TRUE(configure(kRequireA).ok());
  TestRequest request("/api?access_token=garbage", {{"Authorization", cat("Bearer ", tokenA())}});
  ASSERT_EQ(run(request), http::FilterStatus::kLocalReply);
  EXPECT_EQ(request.state.reply.code, "jwt_malformed");
  EXPECT_TRUE(request.values("x-user-id").empty());
}

TEST_F(JwtAuthnFilterTest, ForwardFalseRemovesTheToken) {
  ASSERT_TRUE(configure(kRequireA, "forward: false").ok() == false);  // forward given twice
  ASSERT_TRUE(configure(R"(rules { match { prefix: "/" } requires_ { provider_name: "b" } })").ok());
  TestRequest request("/api", {{"x-b-token", tokenB()}});
  ASSERT_EQ(run(request), http::FilterStatus::kContinue);
  EXPECT_TRUE(request.values("x-b-token").empty());
  EXPECT_EQ(request.values("x-b-sub"), std::vector<std::string>{"bob"});
}

TEST_F(JwtAuthnFilterTest, RequiresAnyPassesOnEitherAndReportsTheRealFailure) {
  ASSERT_TRUE(configure(R"(rules { match { prefix: "/" } requires_ { requires_any { requirements { provider_name: "a" }
                                                                                  requirements { provider_name: "b" } } } })")
                  .ok());
  TestRequest with_b("/x", {{"x-b-token", tokenB()}});
  ASSERT_EQ(run(with_b), http::FilterStatus::kContinue);
  EXPECT_EQ(with_b.state.jwt_provider, "b");
  EXPECT_EQ(with_b.values("x-b-sub"), std::vector<std::string>{"bob"});
  TestRequest none("/x");
  ASSERT_EQ(run(none), http::FilterStatus::kLocalReply);
  EXPECT_EQ(none.state.reply.code, "jwt_missing");
  // A missing for "a" and an expired token for "b": the expiry is what the client hears.
  TestRequest bad_b("/x", {{"x-b-token", mintJwt(*b_, "ES256", R"({"iss":"https://b","exp":5})")}});
  ASSERT_EQ(run(bad_b), http::FilterStatus::kLocalReply);
  EXPECT_EQ(bad_b.state.reply.code, "jwt_expired");
  // A token of "b" sent where "a" looks: unknown issuer for "a", missing for "b".
  TestRequest wrong_place("/x", {{"Authorization", cat("Bearer ", tokenB())}});
  ASSERT_EQ(run(wrong_place), http::FilterStatus::kLocalReply);
  EXPECT_EQ(wrong_place.state.reply.code, "jwt_unknown_issuer");
}

TEST_F(JwtAuthnFilterTest, RequiresAllNeedsBoth) {
  ASSERT_TRUE(configure(R"(rules { match { prefix: "/" } requires_ { requires_all { requirements { provider_name: "a" }
                                                                                  requirements { provider_name: "b" } } } })")
                  .ok());
  TestRequest only_a("/x", {{"Authorization", cat("Bearer ", tokenA())}});
  ASSERT_EQ(run(only_a), http::FilterStatus::kLocalReply);
  EXPECT_EQ(only_a.state.reply.code, "jwt_missing");
  TestRequest both("/x", {{"Authorization", cat("Bearer ", tokenA())}, {"x-b-token", tokenB()}});
  ASSERT_EQ(run(both), http::FilterStatus::kContinue);
  EXPECT_EQ(both.values("x-user-id"), std::vector<std::string>{"alice"});
  EXPECT_EQ(both.values("x-b-sub"), std::vector<std::string>{"bob"});
  EXPECT_EQ(both.state.jwt_provider, "a");
}

TEST_F(JwtAuthnFilterTest, OptionalProviderAllowsMissingButNotInvalid) {
  ASSERT_TRUE(configure(R"(rules { match { prefix: "/" } requires_ { requires_any { requirements { provider_name: "a" }
                                                                                  requirements { allow_missing {} } } } })")
                  .ok());
  TestRequest none("/x", {{"x-user-id", "root"}});
  ASSERT_EQ(run(none), http::FilterStatus::kContinue);
  EXPECT_TRUE(none.values("x-user-id").empty());
  EXPECT_EQ(none.state.jwt_claims, nullptr);
  TestRequest good("/x", {{"Authorization", cat("Bearer ", tokenA())}});
  ASSERT_EQ(run(good), http::FilterStatus::kContinue);
  EXPECT_EQ(good.values("x-user-id"), std::vector<std::string>{"alice"});
  TestRequest bad("/x", {{"Authorization", "Bearer not.a.token"}});
  ASSERT_EQ(run(bad), http::FilterStatus::kLocalReply);
  EXPECT_EQ(bad.state.reply.code, "jwt_malformed");
  TestRequest stranger("/x", {{"Authorization", cat("Bearer ", mintJwt(*a_, "RS256", R"({"iss":"https://x"})"))}});
  ASSERT_EQ(run(stranger), http::FilterStatus::kLocalReply);
  EXPECT_EQ(stranger.state.reply.code, "jwt_unknown_issuer");
}

TEST_F(JwtAuthnFilterTest, AllowMissingAloneJudgesTokensByIssuer) {
  ASSERT_TRUE(configure(R"(rules { match { prefix: "/" } requires_ { allow_missing {} } })").ok());
  TestRequest none("/x");
  EXPECT_EQ(run(none), http::FilterStatus::kContinue);
  TestRequest b_in_its_header("/x", {{"x-b-token", tokenB()}});
  ASSERT_EQ(run(b_in_its_header), http::FilterStatus::kContinue);
  EXPECT_EQ(b_in_its_header.state.jwt_provider, "b");
  // "b"'s token where only "a" looks: "a" is not its issuer.
  TestRequest misplaced("/x", {{"Authorization", cat("Bearer ", tokenB())}});
  ASSERT_EQ(run(misplaced), http::FilterStatus::kLocalReply);
  EXPECT_EQ(misplaced.state.reply.code, "jwt_unknown_issuer");
}

TEST_F(JwtAuthnFilterTest, AllowMissingOrFailedNeverRefuses) {
  ASSERT_TRUE(configure(R"(rules { match { prefix: "/" } requires_ { allow_missing_or_failed {} } })").ok());
  TestRequest bad("/x", {{"Authorization", "Bearer bad"}, {"x-user-id", "root"}});
  ASSERT_EQ(run(bad), http::FilterStatus::kContinue);
  EXPECT_TRUE(bad.values("x-user-id").empty());
  EXPECT_EQ(bad.state.jwt_claims, nullptr);
  TestRequest good("/x", {{"Authorization", cat("Bearer ", tokenA())}});
  ASSERT_EQ(run(good), http::FilterStatus::kContinue);
  EXPECT_EQ(good.values("x-user-id"), std::vector<std::string>{"alice"});
}

TEST_F(JwtAuthnFilterTest, ProviderAndAudiencesOverridesTheAudiences) {
  ASSERT_TRUE(configure(R"(rules { match { prefix: "/" } requires_ { provider_and_audiences { provider_name: "a" audiences: "orders" } } })",
                        R"(audiences: "web")")
                  .ok());
  TestRequest web("/x", {{"Authorization", cat("Bearer ", tokenA(R"(,"aud":"web")"))}});
  ASSERT_EQ(run(web), http::FilterStatus::kLocalReply);
  EXPECT_EQ(web.state.reply.code, "jwt_audience_not_allowed");
  EXPECT_EQ(web.state.reply.status, 401);
  TestRequest orders("/x", {{"Authorization", cat("Bearer ", tokenA(R"(,"aud":"orders")"))}});
  EXPECT_EQ(run(orders), http::FilterStatus::kContinue);
}

TEST_F(JwtAuthnFilterTest, PerRouteRequirementNames) {
  ASSERT_TRUE(configure(R"(requirement_map { key: "route.orders" value { provider_name: "b" } })").ok());
  auto orders = routeConfig(R"(requirement_name: "route.orders")");
  TestRequest with_b("/x", {{"x-b-token", tokenB()}});
  EXPECT_EQ(run(with_b, orders.get()), http::FilterStatus::kContinue);
  TestRequest with_a("/x", {{"Authorization", cat("Bearer ", tokenA())}});
  ASSERT_EQ(run(with_a, orders.get()), http::FilterStatus::kLocalReply);
  EXPECT_EQ(with_a.state.reply.code, "jwt_missing");
  // No rules and no per-route config: nothing required.
  TestRequest plain("/x");
  EXPECT_EQ(run(plain), http::FilterStatus::kContinue);
  auto unknown = routeConfig(R"(requirement_name: "route.nope")");
  TestRequest lost("/x");
  ASSERT_EQ(run(lost, unknown.get()), http::FilterStatus::kLocalReply);
  EXPECT_EQ(lost.state.reply.status, 403);
}

TEST_F(JwtAuthnFilterTest, PathRegexAndCaseInsensitiveRules) {
  ASSERT_TRUE(configure(R"(rules { match { path: "/Health" case_sensitive { value: false } } }
                           rules { match { safe_regex { regex: "/admin/[0-9]+" } } requires_ { provider_name: "b" } }
                           rules { match { prefix: "/" } requires_ { provider_name: "a" } })")
                  .ok());
  TestRequest health("/health");
  EXPECT_EQ(run(health), http::FilterStatus::kContinue);
  TestRequest admin("/admin/7", {{"x-b-token", tokenB()}});
  EXPECT_EQ(run(admin), http::FilterStatus::kContinue);
  TestRequest admin_a("/admin/7", {{"Authorization", cat("Bearer ", tokenA())}});
  EXPECT_EQ(run(admin_a), http::FilterStatus::kLocalReply);
}

TEST_F(JwtAuthnFilterTest, CorsPreflightBypass) {
  ASSERT_TRUE(configure(cat(kRequireA, " bypass_cors_preflight: true")).ok());
  TestRequest preflight("/x");
  preflight.state.cors_preflight = true;
  EXPECT_EQ(run(preflight), http::FilterStatus::kContinue);
  ASSERT_TRUE(configure(kRequireA).ok());
  TestRequest strict("/x");
  strict.state.cors_preflight = true;
  EXPECT_EQ(run(strict), http::FilterStatus::kLocalReply);
}

TEST_F(JwtAuthnFilterTest, ConsumerClaimNamesAKnownConsumer) {
  portico::filters::consumers::v1::Consumers consumers;
  consumers.add_consumers()->set_name("mobile-app");
  consumers_ = *http::ConsumerTable::create(consumers);
  portico::filters::jwt_policy::v1::JwtPolicy policy;
  (*policy.mutable_providers())["a"].set_consumer_claim("client_id");
  ASSERT_TRUE(configure(kRequireA, "", policy).ok());
  TestRequest known("/x", {{"Authorization", cat("Bearer ", tokenA(R"(,"client_id":"mobile-app")"))}});
  ASSERT_EQ(run(known), http::FilterStatus::kContinue);
  ASSERT_NE(known.state.consumer, nullptr);
  EXPECT_EQ(known.state.consumer->name, "mobile-app");
  TestRequest unknown("/x", {{"Authorization", cat("Bearer ", tokenA(R"(,"client_id":"who")"))}});
  ASSERT_EQ(run(unknown), http::FilterStatus::kContinue);
  EXPECT_EQ(unknown.state.consumer, nullptr);
}

TEST_F(JwtAuthnFilterTest, PolicyAlgorithmsRequiredClaimsAndRevocation) {
  portico::filters::jwt_policy::v1::JwtPolicy policy;
  auto& a = (*policy.mutable_providers())["a"];
  a.add_algorithms("PS256");
  a.add_required_claims("email");
  auto* revoked = policy.add_revoked_tokens();
  revoked->set_jti("stolen");
  ASSERT_TRUE(configure(kRequireA, "", policy).ok());
  TestRequest rs("/x", {{"Authorization", cat("Bearer ", tokenA(R"(,"email":"a@b")"))}});
  ASSERT_EQ(run(rs), http::FilterStatus::kLocalReply);
  EXPECT_EQ(rs.state.reply.code, "jwt_bad_algorithm");
  const auto ps = [](const std::string& extra) {
    return mintJwt(*a_, "PS256", cat(R"({"iss":"https://a","sub":"alice")", extra, "}"));
  };
  TestRequest no_email("/x", {{"Authorization", cat("Bearer ", ps(""))}});
  ASSERT_EQ(run(no_email), http::FilterStatus::kLocalReply);
  EXPECT_EQ(no_email.state.reply.code, "jwt_missing_claim");
  TestRequest good("/x", {{"Authorization", cat("Bearer ", ps(R"(,"email":"a@b","jti":"fine")"))}});
  EXPECT_EQ(run(good), http::FilterStatus::kContinue);
  TestRequest stolen("/x", {{"Authorization", cat("Bearer ", ps(R"(,"email":"a@b","jti":"stolen")"))}});
  ASSERT_EQ(run(stolen), http::FilterStatus::kLocalReply);
  EXPECT_EQ(stolen.state.reply.code, "jwt_revoked");
  EXPECT_EQ(stolen.state.reply.message, "Jwt is revoked");
}

TEST_F(JwtAuthnFilterTest, ConfigErrorsNameTheField) {
  EXPECT_EQ(configure(R"(rules { match { prefix: "/" } requires_ { provider_name: "c" } })").message(),
            "rules[0].requires.provider_name: no provider \"c\"");
  EXPECT_EQ(configure(R"(rules { match { prefix: "/" } requirement_name: "x" })").message(),
            "rules[0].requirement_name: \"x\" is not in requirement_map");
  EXPECT_EQ(configure(R"(requirement_map { key: "r" value { requires_any { requirements { provider_name: "a" } } } })").message(),
            "requirement_map[\"r\"].requires_any.requirements: needs at least 2 requirements");
  EXPECT_EQ(configure(R"(rules { match { prefix: "/" headers { name: "x" } } })").message(),
            "rules[0].match: only prefix, path and safe_regex are supported in jwt_authn rules");
  portico::filters::jwt_policy::v1::JwtPolicy policy;
  (*policy.mutable_providers())["a"].add_algorithms("none");
  EXPECT_EQ(configure("", "", policy).message(),
            "jwt_policy.providers[\"a\"].algorithms[0]: \"none\" is not a supported algorithm");
  EXPECT_THAT(std::string(configure("", R"(claim_to_headers { header_name: "host" claim_name: "sub" })").message()),
              HasSubstr("claim header \"host\" is reserved"));
  EXPECT_THAT(std::string(configure("", R"(claim_to_headers { header_name: "authorization" claim_name: "sub" })").message()),
              HasSubstr("carries tokens and cannot also receive claims"));
  EXPECT_EQ(configure("", R"(claim_to_headers { header_name: "bad header" claim_name: "sub" })").message(),
            "providers[\"a\"].claim_to_headers[2].header_name: \"bad header\" is not a valid header name");
}

TEST_F(JwtAuthnFilterTest, UnimplementedProviderFieldsAreRefusedNotIgnored) {
  v3::JwtAuthentication proto;
  auto& provider = (*proto.mutable_providers())["a"];
  provider.mutable_local_jwks()->set_inline_string(jwksOf({a_}));
  // Field 21 (max_lifetime) is not in our subset: it arrives as an unknown field.
  provider.GetReflection()->MutableUnknownFields(&provider)->AddLengthDelimited(21, "\x08\x3c");
  google::protobuf::Any any;
  any.PackFrom(proto);
  http::FilterBuildContext context;
  auto filter = jwtAuthnFactory().createFilter(any, context);
  ASSERT_FALSE(filter.ok());
  EXPECT_EQ(filter.status().message(), "providers[\"a\"]: field #21 is not supported by portico-proxy");
}

TEST_F(JwtAuthnFilterTest, RemoteJwksNeedsTheRegistryAndHttps) {
  EXPECT_EQ(configure("", "").ok(), true);
  v3::JwtAuthentication proto;
  auto& provider = (*proto.mutable_providers())["r"];
  provider.mutable_remote_jwks()->mutable_http_uri()->set_uri("http://idp.example.com/jwks");
  google::protobuf::Any any;
  any.PackFrom(proto);
  auto filter = jwtAuthnFactory().createFilter(any, {});
  ASSERT_FALSE(filter.ok());
  EXPECT_EQ(filter.status().message(),
            "providers[\"r\"].remote_jwks.http_uri.uri: \"http://idp.example.com/jwks\": keys must be fetched over "
            "https (http only to loopback)");
}

}  // namespace
}  // namespace portico::dp::filters::jwt_authn
