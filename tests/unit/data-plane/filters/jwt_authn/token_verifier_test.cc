#include "data-plane/filters/jwt_authn/token_verifier.h"

#include <gtest/gtest.h>

#include <boost/json/object.hpp>

#include "common/strings.h"
#include "tests/support/jwt_test_keys.h"

namespace portico::dp::filters::jwt_authn {
namespace {

using portico::testing::base64Url;
using portico::testing::jwksOf;
using portico::testing::mintJwt;
using portico::testing::mintJwtWithHeader;
using portico::testing::TestKey;

constexpr int64_t kNow = 1'700'000'000;

class TokenVerifierTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    rsa_ = new TestKey(TestKey::rsa("rsa-1"));
    ec_ = new TestKey(TestKey::ecP256("ec-1"));
  }

  void SetUp() override {
    provider_.name = "idp";
    provider_.issuer = "https://idp.example.com";
    provider_.local_jwks = *Jwks::parse(jwksOf({rsa_, ec_}));
    verifier_ = std::make_unique<TokenVerifier>(2, revoked_, [this] { return now_; });
  }

  TokenCheck check(const std::string& token, const std::vector<std::string>* audiences = nullptr) {
    return verifier_->verify(provider_, token, audiences, 0, false);
  }
  static std::string claims(const std::string& extra = "") {
    return cat(R"({"iss":"https://idp.example.com","sub":"alice","exp":)", kNow + 600, extra, "}");
  }

  static TestKey* rsa_;
  static TestKey* ec_;
  Provider provider_;
  int64_t now_ = kNow;
  std::shared_ptr<RevokedSet> revoked_ = std::make_shared<RevokedSet>();
  std::unique_ptr<TokenVerifier> verifier_;
};
TestKey* TokenVerifierTest::rsa_ = nullptr;
TestKey* TokenVerifierTest::ec_ = nullptr;

TEST_F(TokenVerifierTest, AcceptsAGoodToken) {
  const TokenCheck result = check(mintJwt(*rsa_, "RS256", claims()));
  ASSERT_EQ(result.status, JwtStatus::kOk);
  EXPECT_EQ(result.jwt->claims->at("sub").as_string(), "alice");
  EXPECT_EQ(result.provider, &provider_);
}

TEST_F(TokenVerifierTest, ExpiryAndNotBeforeHonourTheClockSkew) {
  provider_.clock_skew_seconds = 60;
  const std::string expired = mintJwt(*rsa_, "RS256", cat(R"({"iss":"https://idp.example.com","exp":)", kNow - 61, "}"));
  const std::string grace = mintJwt(*rsa_, "RS256", cat(R"({"iss":"https://idp.example.com","exp":)", kNow - 60, "}"));
  const std::string early = mintJwt(*rsa_, "RS256", cat(R"({"iss":"https://idp.example.com","nbf":)", kNow + 61, "}"));
  const std::string soon = mintJwt(*rsa_, "RS256", cat(R"({"iss":"https://idp.example.com","nbf":)", kNow + 60, "}"));
  EXPECT_EQ(check(expired).status, JwtStatus::kExpired);
  EXPECT_EQ(check(grace).status, JwtStatus::kOk);
  EXPECT_EQ(check(early).status, JwtStatus::kNotYetValid);
  EXPECT_EQ(check(soon).status, JwtStatus::kOk);
  // The cache keeps verified tokens, but time moves on: re-checked on every use.
  now_ += 3600;
  EXPECT_EQ(check(grace).status, JwtStatus::kExpired);
  EXPECT_EQ(check(early).status, JwtStatus::kOk);
}

TEST_F(TokenVerifierTest, ExtremeTimesDoNotOverflow) {
  provider_.clock_skew_seconds = 60;
  const std::string far = mintJwt(*rsa_, "RS256", R"({"iss":"https://idp.example.com","exp":9223372036854775807})");
  const std::string past = mintJwt(*rsa_, "RS256", R"({"iss":"https://idp.example.com","nbf":-9223372036854775807})");
  EXPECT_EQ(check(far).status, JwtStatus::kOk);
  EXPECT_EQ(check(past).status, JwtStatus::kOk);
}

TEST_F(TokenVerifierTest, RequireExpiration) {
  provider_.require_expiration = true;
  EXPECT_EQ(check(mintJwt(*rsa_, "RS256", R"({"iss":"https://idp.example.com"})")).status, JwtStatus::kNoExpiration);
  EXPECT_EQ(check(mintJwt(*rsa_, "RS256", claims())).status, JwtStatus::kOk);
}

TEST_F(TokenVerifierTest, IssuerMustMatch) {
  EXPECT_EQ(check(mintJwt(*rsa_, "RS256", R"({"iss":"https://evil.example.com"})")).status, JwtStatus::kUnknownIssuer);
  EXPECT_EQ(check(mintJwt(*rsa_, "RS256", R"({"sub":"no issuer"})")).status, JwtStatus::kUnknownIssuer);
  provider_.issuer.clear();  // any issuer
  EXPECT_EQ(check(mintJwt(*rsa_, "RS256", R"({"iss":"https://evil.example.com"})")).status, JwtStatus::kOk);
}

TEST_F(TokenVerifierTest, AudiencesFromTheProviderOrTheRequirement) {
  provider_.audiences = {"api", "web"};
  EXPECT_EQ(check(mintJwt(*rsa_, "RS256", claims(R"(,"aud":"web")"))).status, JwtStatus::kOk);
  EXPECT_EQ(check(mintJwt(*rsa_, "RS256", claims(R"(,"aud":["x","api"])"))).status, JwtStatus::kOk);
  EXPECT_EQ(check(mintJwt(*rsa_, "RS256", claims(R"(,"aud":"other")"))).status, JwtStatus::kAudienceNotAllowed);
  EXPECT_EQ(check(mintJwt(*rsa_, "RS256", claims())).status, JwtStatus::kAudienceNotAllowed);
  const std::vector<std::string> override = {"other"};
  EXPECT_EQ(check(mintJwt(*rsa_, "RS256", claims(R"(,"aud":"other")")), &override).status, JwtStatus::kOk);
  EXPECT_EQ(check(mintJwt(*rsa_, "RS256", claims(R"(,"aud":"api")")), &override).status,
            JwtStatus::kAudienceNotAllowed);
}

TEST_F(TokenVerifierTest, RequiredClaimsIncludingNestedOnes) {
  provider_.required_claims = {{"sub"}, {"realm", "role"}};
  EXPECT_EQ(check(mintJwt(*rsa_, "RS256", claims(R"(,"realm":{"role":"admin"})"))).status, JwtStatus::kOk);
  EXPECT_EQ(check(mintJwt(*rsa_, "RS256", claims(R"(,"realm":{"group":"x"})"))).status, JwtStatus::kMissingClaim);
  EXPECT_EQ(check(mintJwt(*rsa_, "RS256", claims(R"(,"realm":"role")"))).status, JwtStatus::kMissingClaim);
}

TEST_F(TokenVerifierTest, RevokedJtiIsRefusedEvenWhenCached) {
  const std::string token = mintJwt(*rsa_, "RS256", claims(R"(,"jti":"token-7")"));
  EXPECT_EQ(check(token).status, JwtStatus::kOk);
  revoked_->insert("token-7");  // the set is shared; a real list comes with a new filter
  EXPECT_EQ(check(token).status, JwtStatus::kRevoked);
  EXPECT_EQ(check(mintJwt(*rsa_, "RS256", claims(R"(,"jti":"token-8")"))).status, JwtStatus::kOk);
}

TEST_F(TokenVerifierTest, AlgorithmAllowList) {
  provider_.algorithms = AlgorithmSet();
  provider_.algorithms.add(Algorithm::kES256);
  EXPECT_EQ(check(mintJwt(*rsa_, "RS256", claims())).status, JwtStatus::kBadAlgorithm);
  EXPECT_EQ(check(mintJwt(*ec_, "ES256", claims())).status, JwtStatus::kOk);
}

TEST_F(TokenVerifierTest, KidSelectsTheKey) {
  // The RSA key signs, but the header names the EC key's kid: no RSA candidate → unknown kid.
  const std::string wrong_kid =
      mintJwtWithHeader(*rsa_, "RS256", R"({"alg":"RS256","kid":"ec-1"})", claims());
  EXPECT_EQ(check(wrong_kid).status, JwtStatus::kUnknownKid);
  const std::string unknown = mintJwtWithHeader(*rsa_, "RS256", R"({"alg":"RS256","kid":"rsa-9"})", claims());
  EXPECT_EQ(check(unknown).status, JwtStatus::kUnknownKid);
  // Without a kid every key of the right type is tried.
  EXPECT_EQ(check(mintJwtWithHeader(*rsa_, "RS256", R"({"alg":"RS256"})", claims())).status, JwtStatus::kOk);
  // A token signed by a key we do not have but naming ours: bad signature.
  const TestKey other = TestKey::rsa("rsa-1");
  EXPECT_EQ(check(mintJwt(other, "RS256", claims())).status, JwtStatus::kBadSignature);
}

TEST_F(TokenVerifierTest, HsRsConfusionIsRefused) {
  // alg HS256, "signed" with the RSA public key as the HMAC secret, naming the RSA key's kid.
  const TestKey forged = TestKey::hmac("rsa-1", rsa_->publicPem());
  EXPECT_EQ(check(mintJwt(forged, "HS256", claims())).status, JwtStatus::kUnknownKid);
  const TestKey forged_no_kid = TestKey::hmac("", rsa_->publicPem());
  EXPECT_EQ(check(mintJwt(forged_no_kid, "HS256", claims())).status, JwtStatus::kUnknownKid);
}

TEST_F(TokenVerifierTest, TamperedPayloadOrSignatureIsRefused) {
  const std::string token = mintJwt(*rsa_, "RS256", claims(R"(,"role":"user")"));
  const size_t first = token.find('.');
  const size_t second = token.find('.', first + 1);
  const std::string forged_payload =
      token.substr(0, first + 1) + base64Url(claims(R"(,"role":"admin")")) + token.substr(second);
  EXPECT_EQ(check(forged_payload).status, JwtStatus::kBadSignature);
  std::string flipped = token;
  flipped[second + 5] = flipped[second + 5] == 'A' ? 'B' : 'A';
  EXPECT_EQ(check(flipped).status, JwtStatus::kBadSignature);
}

TEST_F(TokenVerifierTest, OversizedTokensAreRefusedBeforeParsing) {
  provider_.max_token_bytes = 512;
  const std::string big = mintJwt(*rsa_, "RS256", claims(cat(R"(,"pad":")", std::string(600, 'x'), "\"")));
  EXPECT_EQ(check(big).status, JwtStatus::kTooLarge);
  EXPECT_EQ(check(std::string(100000, 'a')).status, JwtStatus::kTooLarge);
}

TEST_F(TokenVerifierTest, CacheIsPerProviderAndPerKeySet) {
  const std::string token = mintJwt(*rsa_, "RS256", claims());
  ASSERT_EQ(check(token).status, JwtStatus::kOk);
  const TokenCheck again = check(token);
  ASSERT_EQ(again.status, JwtStatus::kOk);
  // A rotated key set (the signing key gone) invalidates the cached verification.
  provider_.local_jwks = *Jwks::parse(jwksOf({ec_}));
  EXPECT_EQ(check(token).status, JwtStatus::kUnknownKid);
  // Another provider with the same keys but another issuer does not reuse the entry.
  Provider other = provider_;
  other.index = 1;
  other.issuer = "https://other.example.com";
  other.local_jwks = *Jwks::parse(jwksOf({rsa_}));
  EXPECT_EQ(verifier_->verify(other, token, nullptr, 0, false).status, JwtStatus::kUnknownIssuer);
}

TEST_F(TokenVerifierTest, ChoosesTheProviderByIssuer) {
  Provider exact = provider_;
  exact.index = 1;
  Provider any = provider_;
  any.index = 2;
  any.issuer.clear();
  any.local_jwks = *Jwks::parse(jwksOf({ec_}));
  const std::vector<const Provider*> candidates = {&any, &exact};
  const TokenCheck by_iss = verifier_->verifyByIssuer(candidates, mintJwt(*rsa_, "RS256", claims()), 0, false);
  EXPECT_EQ(by_iss.status, JwtStatus::kOk);
  EXPECT_EQ(by_iss.provider, &exact);
  const TokenCheck fallback = verifier_->verifyByIssuer(
      candidates, mintJwt(*ec_, "ES256", R"({"iss":"https://someone.else"})"), 0, false);
  EXPECT_EQ(fallback.status, JwtStatus::kOk);
  EXPECT_EQ(fallback.provider, &any);
  const std::vector<const Provider*> strict = {&exact};
  EXPECT_EQ(verifier_->verifyByIssuer(strict, mintJwt(*ec_, "ES256", R"({"iss":"x"})"), 0, false).status,
            JwtStatus::kUnknownIssuer);
}

}  // namespace
}  // namespace portico::dp::filters::jwt_authn
