// Remote JWKS end to end inside one process: a real HTTPS server on loopback with its own CA
// (tests/support/jwks_server.h), the process-wide JwksRegistry fetching on its own thread, and
// the jwt_authn filter verifying tokens with what it fetched — first fetch awaited by requests,
// key rotation picked up through the bounded refetch on an unknown kid, last good keys kept
// while the server is down.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <google/protobuf/any.pb.h>
#include <prometheus/registry.h>

#include "common/strings.h"
#include "data-plane/filters/jwt_authn/jwks_fetcher.h"
#include "data-plane/filters/jwt_authn/jwks_registry.h"
#include "data-plane/filters/jwt_authn/jwt_authn_factory.h"
#include "envoy/extensions/filters/http/jwt_authn/v3/config.pb.h"
#include "portico/filters/jwt_policy/v1/jwt_policy.pb.h"
#include "tests/support/jwks_server.h"
#include "tests/support/jwt_test_keys.h"
#include "tests/support/test_env.h"
#include "tests/unit/data-plane/filters/jwt_authn/jwt_filter_test_util.h"

namespace portico::dp::filters::jwt_authn {
namespace {

namespace v3 = envoy::extensions::filters::http::jwt_authn::v3;
using portico::testing::JwksServer;
using portico::testing::jwksOf;
using portico::testing::mintJwt;
using portico::testing::TestKey;
using portico::testing::waitUntil;
using testing::runFilter;
using testing::TestRequest;

class RemoteJwksTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    old_ = new TestKey(TestKey::ecP256("2024"));
    new_ = new TestKey(TestKey::ecP256("2025"));
  }

  void SetUp() override {
    dir_ = portico::testing::makeTempDir("jwks-test");
    server_ = JwksServer::start(dir_, jwksOf({old_}));
  }

  void startRegistry(absl::Duration min_refetch) {
    http::JwksRegistry::Options options;
    options.worker_count = 1;
    options.min_refetch_interval = min_refetch;
    registry_ = std::make_unique<http::JwksRegistry>(options, &metrics_);
    registry_->start();
  }

  http::HttpFilterConstSharedPtr makeFilter(const std::string& uri, const std::string& ca,
                                            absl::Duration cache = absl::Minutes(10)) {
    v3::JwtAuthentication proto;
    auto& provider = (*proto.mutable_providers())["idp"];
    provider.set_issuer("https://idp");
    auto* remote = provider.mutable_remote_jwks();
    remote->mutable_http_uri()->set_uri(uri);
    remote->mutable_http_uri()->set_cluster("unused");
    remote->mutable_http_uri()->mutable_timeout()->set_seconds(2);
    remote->mutable_cache_duration()->set_seconds(absl::ToInt64Seconds(cache));
    remote->mutable_cache_duration()->set_nanos(static_cast<int32_t>(absl::ToInt64Nanoseconds(cache) % 1000000000));
    auto* rule = proto.add_rules();
    rule->mutable_match()->set_prefix("/");
    rule->mutable_requires_()->set_provider_name("idp");
    portico::filters::jwt_policy::v1::JwtPolicy policy;
    (*policy.mutable_providers())["idp"].set_jwks_ca(ca);
    google::protobuf::Any any;
    any.PackFrom(proto);
    google::protobuf::Any policy_any;
    policy_any.PackFrom(policy);
    http::FilterBuildContext context;
    context.worker_count = 1;
    context.jwt_policy = &policy_any;
    context.jwks = registry_.get();
    auto filter = jwtAuthnFactory().createFilter(any, context);
    EXPECT_TRUE(filter.ok()) << filter.status();
    return filter.ok() ? *filter : nullptr;
  }

  // The outcome of one request with `key`'s token: the reply code, or "ok".
  std::string request(const http::HttpFilter& filter, const TestKey& key, bool* went_async = nullptr) {
    TestRequest request("/x", {{"Authorization", cat("Bearer ", mintJwt(key, "ES256", R"({"iss":"https://idp"})"))}});
    const http::FilterStatus status = runFilter(filter, request, nullptr, went_async);
    if (status == http::FilterStatus::kContinue) return "ok";
    return request.state.reply.code;
  }

  static TestKey* old_;
  static TestKey* new_;
  std::string dir_;
  std::unique_ptr<JwksServer> server_;
  prometheus::Registry metrics_;
  std::unique_ptr<http::JwksRegistry> registry_;
};
TestKey* RemoteJwksTest::old_ = nullptr;
TestKey* RemoteJwksTest::new_ = nullptr;

TEST_F(RemoteJwksTest, FirstRequestWaitsForTheFirstFetch) {
  startRegistry(absl::Seconds(10));
  server_->setDelayMs(300);  // the fetch is surely still under way when the request comes
  auto filter = makeFilter(server_->uri(), server_->caFile());
  bool went_async = false;
  EXPECT_EQ(request(*filter, *old_, &went_async), "ok");
  EXPECT_TRUE(went_async);
  EXPECT_EQ(server_->fetches(), 1);
  went_async = true;
  EXPECT_EQ(request(*filter, *old_, &went_async), "ok");
  EXPECT_FALSE(went_async);  // keys in hand: no wait
}

TEST_F(RemoteJwksTest, SnapshotsShareTheKeySet) {
  startRegistry(absl::Seconds(10));
  auto first = makeFilter(server_->uri(), server_->caFile());
  ASSERT_EQ(request(*first, *old_), "ok");
  auto second = makeFilter(server_->uri(), server_->caFile());  // a new snapshot, same JWKS
  bool went_async = true;
  EXPECT_EQ(request(*second, *old_, &went_async), "ok");
  EXPECT_FALSE(went_async);
  EXPECT_EQ(server_->fetches(), 1);
}

TEST_F(RemoteJwksTest, RotationIsPickedUpByTheRefetchOnAnUnknownKid) {
  startRegistry(absl::Milliseconds(100));
  auto filter = makeFilter(server_->uri(), server_->caFile());
  ASSERT_EQ(request(*filter, *old_), "ok");
  server_->setBody(jwksOf({new_}));  // the issuer rotates
  // Let the bounded refetch window pass, then a token with the new kid triggers a refetch and
  // waits for it.
  absl::SleepFor(absl::Milliseconds(150));
  bool went_async = false;
  EXPECT_EQ(request(*filter, *new_, &went_async), "ok");
  EXPECT_TRUE(went_async);
  EXPECT_EQ(server_->fetches(), 2);
  EXPECT_EQ(request(*filter, *old_), "jwt_unknown_kid");  // the old key is gone from the set
}

TEST_F(RemoteJwksTest, UnknownKidRefetchesAreRateBounded) {
  startRegistry(absl::Hours(1));
  auto filter = makeFilter(server_->uri(), server_->caFile());
  ASSERT_EQ(request(*filter, *old_), "ok");
  const TestKey stranger = TestKey::ecP256("made-up");
  // The first unknown kid after the first fetch may refetch once; afterwards the interval holds.
  EXPECT_EQ(request(*filter, stranger), "jwt_unknown_kid");
  const int after_first = server_->fetches();
  EXPECT_LE(after_first, 2);
  for (int i = 0; i < 20; ++i) {
    const TestKey other = TestKey::ecP256(cat("made-up-", i));
    bool went_async = true;
    EXPECT_EQ(request(*filter, other, &went_async), "jwt_unknown_kid");
    EXPECT_FALSE(went_async);
  }
  EXPECT_EQ(server_->fetches(), after_first);
}

TEST_F(RemoteJwksTest, LastGoodKeysSurviveTheServerGoingDown) {
  startRegistry(absl::Milliseconds(50));
  auto filter = makeFilter(server_->uri(), server_->caFile(), absl::Milliseconds(200));
  ASSERT_EQ(request(*filter, *old_), "ok");
  server_->stop();
  // Refreshes fail (every ~180 ms, then backing off); the keys in hand keep working.
  ASSERT_TRUE(waitUntil(
      [&] {
        for (const auto& family : metrics_.Collect()) {
          if (family.name != "portico_proxy_jwks_fetches_total") continue;
          for (const auto& metric : family.metric) {
            for (const auto& label : metric.label) {
              if (label.value == "failure" && metric.counter.value >= 1) return true;
            }
          }
        }
        return false;
      },
      absl::Seconds(10)));
  EXPECT_EQ(request(*filter, *old_), "ok");
  // A kid we do not have: the refetch fails, and the answer is "unknown kid" (after waiting).
  EXPECT_EQ(request(*filter, *new_), "jwt_unknown_kid");
  // The server comes back with the rotated set: the next refetch picks it up.
  server_->setBody(jwksOf({new_}));
  server_->restart();
  ASSERT_TRUE(waitUntil([&] { return request(*filter, *new_) == "ok"; }, absl::Seconds(20), absl::Milliseconds(100)));
}

TEST_F(RemoteJwksTest, NoKeysEverMeansUnavailable) {
  startRegistry(absl::Milliseconds(50));
  server_->setStatus(500);
  auto filter = makeFilter(server_->uri(), server_->caFile());
  EXPECT_EQ(request(*filter, *old_), "jwt_jwks_unavailable");
  server_->setStatus(200);
  ASSERT_TRUE(waitUntil([&] { return request(*filter, *old_) == "ok"; }, absl::Seconds(20), absl::Milliseconds(100)));
}

TEST_F(RemoteJwksTest, AServerOutsideTheGivenCaIsNotTrusted) {
  startRegistry(absl::Seconds(10));
  const std::string other_dir = portico::testing::makeTempDir("jwks-other");
  auto other = JwksServer::start(other_dir, jwksOf({old_}));
  // The proxy trusts our CA only; the other server's certificate is signed by another one.
  auto filter = makeFilter(other->uri(), server_->caFile());
  EXPECT_EQ(request(*filter, *old_), "jwt_jwks_unavailable");
  EXPECT_EQ(other->fetches(), 0);  // the handshake failed before any request
}

TEST(JwksUriTest, HttpsOrLoopbackHttpOnly) {
  EXPECT_TRUE(checkJwksUri("https://idp.example.com/.well-known/jwks.json").ok());
  EXPECT_TRUE(checkJwksUri("https://[::1]:8443/jwks").ok());
  EXPECT_TRUE(checkJwksUri("http://127.0.0.1:8080/jwks").ok());
  EXPECT_TRUE(checkJwksUri("http://localhost/jwks").ok());
  EXPECT_FALSE(checkJwksUri("http://idp.example.com/jwks").ok());
  EXPECT_FALSE(checkJwksUri("http://10.0.0.1/jwks").ok());
  EXPECT_FALSE(checkJwksUri("ftp://idp/jwks").ok());
  EXPECT_FALSE(checkJwksUri("not a uri").ok());
}

}  // namespace
}  // namespace portico::dp::filters::jwt_authn
