#include "data-plane/filters/jwt_authn/jwt.h"

#include <gtest/gtest.h>

#include <boost/json/object.hpp>

#include "data-plane/filters/jwt_authn/base64url.h"
#include "tests/support/jwt_test_keys.h"

namespace portico::dp::filters::jwt_authn {
namespace {

using portico::testing::base64Url;

std::string token(std::string_view header, std::string_view payload, std::string_view signature = "sig") {
  return base64Url(header) + "." + base64Url(payload) + "." + base64Url(signature);
}

JwtStatus parse(const std::string& text, Jwt& jwt) {
  std::string_view input;
  return parseJwt(text, jwt, input);
}

TEST(JwtParseTest, ReadsHeaderAndRegisteredClaims) {
  const std::string text = token(R"({"alg":"ES256","kid":"k1","typ":"JWT"})",
                                 R"({"iss":"https://idp","aud":["a","b"],"exp":2000000000,"nbf":1.5e9,)"
                                 R"("jti":"j-1","sub":"alice","nested":{"role":"admin"}})");
  Jwt jwt;
  std::string_view input;
  ASSERT_EQ(parseJwt(text, jwt, input), JwtStatus::kOk);
  EXPECT_EQ(jwt.alg, Algorithm::kES256);
  EXPECT_EQ(jwt.kid, "k1");
  EXPECT_EQ(jwt.iss, "https://idp");
  EXPECT_EQ(jwt.audiences, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(jwt.exp, 2000000000);
  EXPECT_EQ(jwt.nbf, 1500000000);
  EXPECT_EQ(jwt.jti, "j-1");
  EXPECT_EQ(jwt.signature, "sig");
  EXPECT_EQ(input, text.substr(0, text.rfind('.')));
  EXPECT_EQ(jwt.claims->at("sub").as_string(), "alice");
}

TEST(JwtParseTest, AudienceMayBeAString) {
  Jwt jwt;
  ASSERT_EQ(parse(token(R"({"alg":"HS256"})", R"({"aud":"api"})"), jwt), JwtStatus::kOk);
  EXPECT_EQ(jwt.audiences, std::vector<std::string>{"api"});
  EXPECT_FALSE(jwt.iss.has_value());
  EXPECT_FALSE(jwt.exp.has_value());
}

TEST(JwtParseTest, RefusesAlgNoneUnknownMissingOrWrongCase) {
  Jwt jwt;
  EXPECT_EQ(parse(token(R"({"alg":"none"})", "{}"), jwt), JwtStatus::kBadAlgorithm);
  EXPECT_EQ(parse(token(R"({"alg":"None"})", "{}"), jwt), JwtStatus::kBadAlgorithm);
  EXPECT_EQ(parse(token(R"({"alg":"rs256"})", "{}"), jwt), JwtStatus::kBadAlgorithm);
  EXPECT_EQ(parse(token(R"({"alg":"ES512"})", "{}"), jwt), JwtStatus::kBadAlgorithm);
  EXPECT_EQ(parse(token(R"({"typ":"JWT"})", "{}"), jwt), JwtStatus::kBadAlgorithm);
  EXPECT_EQ(parse(token(R"({"alg":256})", "{}"), jwt), JwtStatus::kBadAlgorithm);
  // alg none with the customary empty signature: refused for its shape first.
  EXPECT_EQ(parse(base64Url(R"({"alg":"none"})") + "." + base64Url("{}") + ".", jwt), JwtStatus::kMalformed);
}

TEST(JwtParseTest, RefusesBadShapes) {
  Jwt jwt;
  const std::string header = base64Url(R"({"alg":"HS256"})");
  const std::string payload = base64Url("{}");
  EXPECT_EQ(parse("", jwt), JwtStatus::kMalformed);
  EXPECT_EQ(parse("abc", jwt), JwtStatus::kMalformed);
  EXPECT_EQ(parse(header + "." + payload, jwt), JwtStatus::kMalformed);
  EXPECT_EQ(parse(header + "." + payload + ".c2ln.eA", jwt), JwtStatus::kMalformed);  // JWE-like, 5 parts
  EXPECT_EQ(parse("." + payload + ".c2ln", jwt), JwtStatus::kMalformed);
  EXPECT_EQ(parse(header + "..c2ln", jwt), JwtStatus::kMalformed);
  EXPECT_EQ(parse(header + "=." + payload + ".c2ln", jwt), JwtStatus::kMalformed);     // padding
  EXPECT_EQ(parse(header + "." + payload + ".c2l+", jwt), JwtStatus::kMalformed);      // '+'
  EXPECT_EQ(parse(header + "." + payload + ".c2ln ", jwt), JwtStatus::kMalformed);     // space
  EXPECT_EQ(parse(header + ". " + payload + ".c2ln", jwt), JwtStatus::kMalformed);
}

TEST(JwtParseTest, RefusesNonObjectJsonAndBadJson) {
  Jwt jwt;
  EXPECT_EQ(parse(token("[1]", "{}"), jwt), JwtStatus::kMalformed);
  EXPECT_EQ(parse(token(R"({"alg":"HS256"})", "[]"), jwt), JwtStatus::kMalformed);
  EXPECT_EQ(parse(token(R"({"alg":"HS256"})", "\"str\""), jwt), JwtStatus::kMalformed);
  EXPECT_EQ(parse(token(R"({"alg":"HS256"})", "{"), jwt), JwtStatus::kMalformed);
  EXPECT_EQ(parse(token(R"({"alg":"HS256")", "{}"), jwt), JwtStatus::kMalformed);
  EXPECT_EQ(parse(token(R"({"alg":"HS256"})", "{\"a\":\"\xff\"}"), jwt), JwtStatus::kMalformed);  // not UTF-8
  EXPECT_EQ(parse(token(R"({"alg":"HS256"})", std::string(100, '[') + std::string(100, ']')), jwt),
            JwtStatus::kMalformed);  // too deep
  std::string deep = R"({"a":)";
  for (int i = 0; i < 40; ++i) deep += R"({"a":)";
  deep += "1" + std::string(41, '}') + "}";
  EXPECT_EQ(parse(token(R"({"alg":"HS256"})", deep), jwt), JwtStatus::kMalformed);
}

TEST(JwtParseTest, RefusesWrongClaimTypesAndCrit) {
  Jwt jwt;
  const std::string header = R"({"alg":"HS256"})";
  EXPECT_EQ(parse(token(header, R"({"exp":"2000000000"})"), jwt), JwtStatus::kMalformed);
  EXPECT_EQ(parse(token(header, R"({"nbf":true})"), jwt), JwtStatus::kMalformed);
  EXPECT_EQ(parse(token(header, R"({"iss":1})"), jwt), JwtStatus::kMalformed);
  EXPECT_EQ(parse(token(header, R"({"aud":[1]})"), jwt), JwtStatus::kMalformed);
  EXPECT_EQ(parse(token(header, R"({"aud":{}})"), jwt), JwtStatus::kMalformed);
  EXPECT_EQ(parse(token(header, R"({"jti":7})"), jwt), JwtStatus::kMalformed);
  EXPECT_EQ(parse(token(R"({"alg":"HS256","kid":7})", "{}"), jwt), JwtStatus::kMalformed);
  EXPECT_EQ(parse(token(R"({"alg":"HS256","crit":["exp"]})", "{}"), jwt), JwtStatus::kMalformed);
}

TEST(JwtParseTest, HugeNumericDatesSaturate) {
  Jwt jwt;
  ASSERT_EQ(parse(token(R"({"alg":"HS256"})", R"({"exp":1e300,"nbf":18446744073709551615})"), jwt),
            JwtStatus::kOk);
  EXPECT_EQ(*jwt.exp, std::numeric_limits<int64_t>::max());
  EXPECT_EQ(*jwt.nbf, std::numeric_limits<int64_t>::max());
}

}  // namespace
}  // namespace portico::dp::filters::jwt_authn
