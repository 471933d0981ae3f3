#include "data-plane/filters/jwt_authn/signature.h"

#include <gtest/gtest.h>

#include "common/strings.h"
#include "tests/support/jwt_test_keys.h"

namespace portico::dp::filters::jwt_authn {
namespace {

using portico::testing::jwksOf;
using portico::testing::TestKey;

struct Case {
  const char* alg;
  int key;  // index into the suite's keys
};

class SignatureTest : public ::testing::TestWithParam<Case> {
 protected:
  static void SetUpTestSuite() {
    keys_ = new std::vector<TestKey>{TestKey::rsa("rsa"), TestKey::ecP256("p256"), TestKey::ecP384("p384"),
                                     TestKey::ed25519("ed"), TestKey::hmac("hs", std::string(64, 's'))};
    std::vector<const TestKey*> list;
    for (const TestKey& key : *keys_) list.push_back(&key);
    jwks_ = new std::shared_ptr<const Jwks>(*Jwks::parse(jwksOf(list)));
  }
  static const Jwk& jwk(int i) { return (*jwks_)->keys()[static_cast<size_t>(i)]; }
  static std::vector<TestKey>* keys_;
  static std::shared_ptr<const Jwks>* jwks_;
};
std::vector<TestKey>* SignatureTest::keys_ = nullptr;
std::shared_ptr<const Jwks>* SignatureTest::jwks_ = nullptr;

TEST_P(SignatureTest, VerifiesGoodSignaturesAndRefusesTamperedOnes) {
  const Case c = GetParam();
  const Algorithm alg = *parseAlgorithm(c.alg);
  const std::string input = "eyJhbGciOiJ4In0.eyJzdWIiOiJhbGljZSJ9";
  const std::string signature = (*keys_)[static_cast<size_t>(c.key)].sign(c.alg, input);
  EXPECT_TRUE(verifySignature(jwk(c.key), alg, input, signature));

  std::string flipped = signature;
  flipped[flipped.size() / 2] ^= 0x01;
  EXPECT_FALSE(verifySignature(jwk(c.key), alg, input, flipped));
  EXPECT_FALSE(verifySignature(jwk(c.key), alg, input + "x", signature));
  EXPECT_FALSE(verifySignature(jwk(c.key), alg, input, signature.substr(0, signature.size() - 1)));
  EXPECT_FALSE(verifySignature(jwk(c.key), alg, input, signature + "x"));
  EXPECT_FALSE(verifySignature(jwk(c.key), alg, input, ""));
  // No other key of the set verifies it, whatever its type.
  for (int other = 0; other < static_cast<int>(keys_->size()); ++other) {
    if (other != c.key) {
      EXPECT_FALSE(verifySignature(jwk(other), alg, input, signature)) << other;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(EveryAlgorithm, SignatureTest,
                         ::testing::Values(Case{"RS256", 0}, Case{"RS384", 0}, Case{"RS512", 0}, Case{"PS256", 0},
                                           Case{"PS384", 0}, Case{"PS512", 0}, Case{"ES256", 1}, Case{"ES384", 2},
                                           Case{"EdDSA", 3}, Case{"HS256", 4}, Case{"HS384", 4}, Case{"HS512", 4}),
                         [](const auto& info) { return std::string(info.param.alg); });

TEST_F(SignatureTest, RsaPkcs1AndPssAreNotInterchangeable) {
  const std::string input = "a.b";
  EXPECT_FALSE(verifySignature(jwk(0), Algorithm::kPS256, input, (*keys_)[0].sign("RS256", input)));
  EXPECT_FALSE(verifySignature(jwk(0), Algorithm::kRS256, input, (*keys_)[0].sign("PS256", input)));
  EXPECT_FALSE(verifySignature(jwk(0), Algorithm::kRS384, input, (*keys_)[0].sign("RS256", input)));
}

TEST_F(SignatureTest, HmacWithTheRsaPublicKeyAsSecretIsRefused) {
  // The classic confusion: sign HS256 with the RSA public key's PEM, hoping the verifier feeds
  // its RSA key to HMAC. The RSA key never verifies an HS algorithm.
  const TestKey forged = TestKey::hmac("rsa", (*keys_)[0].publicPem());
  const std::string input = "a.b";
  EXPECT_FALSE(verifySignature(jwk(0), Algorithm::kHS256, input, forged.sign("HS256", input)));
}

TEST_F(SignatureTest, EcdsaNeedsTheJoseFormNotDer) {
  const std::string input = "a.b";
  const std::string jose = (*keys_)[1].sign("ES256", input);
  ASSERT_EQ(jose.size(), 64u);
  EXPECT_TRUE(verifySignature(jwk(1), Algorithm::kES256, input, jose));
  EXPECT_FALSE(verifySignature(jwk(1), Algorithm::kES256, input, std::string(64, '\0')));
  EXPECT_FALSE(verifySignature(jwk(1), Algorithm::kES256, input, std::string(64, '\xff')));
}

}  // namespace
}  // namespace portico::dp::filters::jwt_authn
