#include "data-plane/filters/jwt_authn/jwks.h"

#include <gtest/gtest.h>
#include <gmock/gmock.h>

#include "common/strings.h"
#include "tests/support/jwt_test_keys.h"

namespace portico::dp::filters::jwt_authn {
namespace {

using portico::testing::base64Url;
using portico::testing::jwksOf;
using portico::testing::TestKey;
using ::testing::HasSubstr;

class JwksTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    rsa_ = new TestKey(TestKey::rsa("r1"));
    p256_ = new TestKey(TestKey::ecP256("e1"));
    p384_ = new TestKey(TestKey::ecP384("e2"));
    ed_ = new TestKey(TestKey::ed25519("d1"));
  }
  static TestKey* rsa_;
  static TestKey* p256_;
  static TestKey* p384_;
  static TestKey* ed_;
};
TestKey* JwksTest::rsa_ = nullptr;
TestKey* JwksTest::p256_ = nullptr;
TestKey* JwksTest::p384_ = nullptr;
TestKey* JwksTest::ed_ = nullptr;

TEST_F(JwksTest, BuildsEveryKeyType) {
  const TestKey hmac = TestKey::hmac("h1", std::string(64, 'k'));
  auto jwks = Jwks::parse(jwksOf({rsa_, p256_, p384_, ed_, &hmac}));
  ASSERT_TRUE(jwks.ok()) << jwks.status();
  const auto& keys = (*jwks)->keys();
  ASSERT_EQ(keys.size(), 5u);
  EXPECT_EQ(keys[0].type, KeyType::kRsa);
  EXPECT_EQ(keys[0].kid, "r1");
  EXPECT_TRUE(keys[0].canVerify(Algorithm::kRS256));
  EXPECT_TRUE(keys[0].canVerify(Algorithm::kPS512));
  EXPECT_FALSE(keys[0].canVerify(Algorithm::kHS256));  // the confusion attack's premise
  EXPECT_FALSE(keys[0].canVerify(Algorithm::kES256));
  EXPECT_EQ(keys[1].type, KeyType::kEc);
  EXPECT_TRUE(keys[1].canVerify(Algorithm::kES256));
  EXPECT_FALSE(keys[1].canVerify(Algorithm::kES384));  // curve decides
  EXPECT_TRUE(keys[2].canVerify(Algorithm::kES384));
  EXPECT_FALSE(keys[2].canVerify(Algorithm::kES256));
  EXPECT_EQ(keys[3].type, KeyType::kOkp);
  EXPECT_TRUE(keys[3].canVerify(Algorithm::kEdDSA));
  EXPECT_EQ(keys[4].type, KeyType::kOct);
  EXPECT_TRUE(keys[4].canVerify(Algorithm::kHS512));
  EXPECT_FALSE(keys[4].canVerify(Algorithm::kRS256));
  for (const Jwk& key : keys) {
    if (key.type != KeyType::kOct) {
      EXPECT_NE(key.pkey, nullptr);
    }
  }
}

TEST_F(JwksTest, KeyAlgRestrictsTheKey) {
  auto jwks = Jwks::parse(cat(R"({"keys":[)", rsa_->jwk("PS256"), "]}"));
  ASSERT_TRUE(jwks.ok()) << jwks.status();
  EXPECT_TRUE((*jwks)->keys()[0].canVerify(Algorithm::kPS256));
  EXPECT_FALSE((*jwks)->keys()[0].canVerify(Algorithm::kRS256));
  // An alg that does not fit the key type makes the key unusable.
  auto bad = Jwks::parse(cat(R"({"keys":[)", rsa_->jwk("HS256"), "]}"));
  EXPECT_FALSE(bad.ok());
  EXPECT_THAT(std::string(bad.status().message()), HasSubstr("does not fit kty RSA"));
}

TEST_F(JwksTest, ShortHmacSecretsOnlyVerifyShortHashes) {
  const TestKey hmac = TestKey::hmac("", std::string(32, 'k'));
  auto jwks = Jwks::parse(jwksOf({&hmac}));
  ASSERT_TRUE(jwks.ok());
  EXPECT_TRUE((*jwks)->keys()[0].canVerify(Algorithm::kHS256));
  EXPECT_FALSE((*jwks)->keys()[0].canVerify(Algorithm::kHS384));  // RFC 7518 §3.2
  EXPECT_FALSE((*jwks)->keys()[0].canVerify(Algorithm::kHS512));
}

TEST_F(JwksTest, SkipsUnusableKeysWithReasons) {
  std::vector<std::string> skipped;
  const std::string text = cat(R"({"keys":[)",
                               R"({"kty":"RSA","kid":"small","n":")", base64Url(std::string(128, '\xff')), R"(","e":"AQAB"},)",
                               R"({"kty":"EC","crv":"P-521","x":"AA","y":"AA"},)",
                               R"({"kty":"OKP","crv":"X25519","x":"AA"},)",
                               R"({"kty":"foo"},)",
                               R"({"kty":"oct","k":"c2VjcmV0","use":"enc"},)",
                               R"({"kty":"oct","k":"c2VjcmV0","key_ops":["sign"]},)",
                               R"({"kty":"oct","k":"c2Vj=cmV0"},)",
                               R"({"kty":"EC","crv":"P-256","x":"AAAA","y":"AAAA"},)",
                               R"("not an object",)",
                               p256_->jwk(), "]}");
  auto jwks = Jwks::parse(text, &skipped);
  ASSERT_TRUE(jwks.ok()) << jwks.status();
  EXPECT_EQ((*jwks)->keys().size(), 1u);
  ASSERT_EQ(skipped.size(), 9u);
  EXPECT_EQ(skipped[0], "keys[0] (kid \"small\"): RSA modulus of 1024 bits is under 2048");
  EXPECT_EQ(skipped[1], "keys[1]: unsupported EC curve \"P-521\"");
  EXPECT_EQ(skipped[2], "keys[2]: unsupported OKP curve \"X25519\"");
  EXPECT_EQ(skipped[3], "keys[3]: unsupported \"kty\" \"foo\"");
  EXPECT_EQ(skipped[4], "keys[4]: \"use\" is \"enc\", not \"sig\"");
  EXPECT_EQ(skipped[5], "keys[5]: \"key_ops\" does not include \"verify\"");
  EXPECT_EQ(skipped[6], "keys[6]: \"k\" is not base64url");
  EXPECT_EQ(skipped[7], "keys[7]: x and y must be 32 bytes for P-256");
  EXPECT_EQ(skipped[8], "keys[8]: not a JSON object");
}

TEST_F(JwksTest, RefusesAPointOffTheCurve) {
  const std::string x = base64Url(std::string(32, '\x01'));
  auto jwks = Jwks::parse(cat(R"({"keys":[{"kty":"EC","crv":"P-256","x":")", x, R"(","y":")", x, R"("}]})"));
  ASSERT_FALSE(jwks.ok());
  EXPECT_THAT(std::string(jwks.status().message()), HasSubstr("keys[0]: OpenSSL refused the EC key"));
}

TEST_F(JwksTest, RefusesDegenerateRsaExponents) {
  std::string n(256, '\xc5');
  auto one = Jwks::parse(cat(R"({"keys":[{"kty":"RSA","n":")", base64Url(n), R"(","e":"AQ"}]})"));
  EXPECT_FALSE(one.ok());
  auto even = Jwks::parse(cat(R"({"keys":[{"kty":"RSA","n":")", base64Url(n), R"(","e":"Ag"}]})"));
  EXPECT_FALSE(even.ok());
  EXPECT_THAT(std::string(even.status().message()), HasSubstr("odd and greater than 1"));
}

TEST_F(JwksTest, RefusesDocumentsWithoutUsableKeys) {
  EXPECT_EQ(Jwks::parse("not json").status().message(), "JWKS is not valid JSON: syntax error");
  EXPECT_EQ(Jwks::parse("[]").status().message(), "JWKS must be an object with a \"keys\" array");
  EXPECT_EQ(Jwks::parse(R"({"keys":{}})").status().message(), "JWKS must be an object with a \"keys\" array");
  EXPECT_EQ(Jwks::parse(R"({"keys":[]})").status().message(), "JWKS has no keys");
  EXPECT_EQ(Jwks::parse(R"({"keys":[{"kty":"oct"}]})").status().message(),
            "JWKS has no usable key: keys[0]: \"k\" missing or not a string");
}

TEST_F(JwksTest, EachParsedSetHasItsOwnId) {
  auto a = Jwks::parse(jwksOf({p256_}));
  auto b = Jwks::parse(jwksOf({p256_}));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE((*a)->id(), (*b)->id());
}

}  // namespace
}  // namespace portico::dp::filters::jwt_authn
