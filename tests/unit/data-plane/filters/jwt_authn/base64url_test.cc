#include "data-plane/filters/jwt_authn/base64url.h"

#include <gtest/gtest.h>

#include <string>

namespace portico::dp::filters::jwt_authn {
namespace {

TEST(Base64UrlTest, RoundTripsEveryLengthAndByte) {
  std::string data;
  for (int i = 0; i < 300; ++i) {
    const std::string encoded = base64UrlEncode(data);
    std::string decoded;
    ASSERT_TRUE(base64UrlDecode(encoded, decoded)) << encoded;
    EXPECT_EQ(decoded, data);
    EXPECT_EQ(encoded.find_first_of("+/="), std::string::npos);
    data.push_back(static_cast<char>(i * 37));
  }
}

TEST(Base64UrlTest, KnownVectors) {  // RFC 4648 §10, in the URL-safe alphabet without padding
  EXPECT_EQ(base64UrlEncode("f"), "Zg");
  EXPECT_EQ(base64UrlEncode("fo"), "Zm8");
  EXPECT_EQ(base64UrlEncode("foo"), "Zm9v");
  EXPECT_EQ(base64UrlEncode("foob"), "Zm9vYg");
  EXPECT_EQ(base64UrlEncode("\xfb\xff"), "-_8");
  std::string out;
  ASSERT_TRUE(base64UrlDecode("-_8", out));
  EXPECT_EQ(out, "\xfb\xff");
  ASSERT_TRUE(base64UrlDecode("", out));
  EXPECT_EQ(out, "");
}

TEST(Base64UrlTest, RefusesPaddingStandardAlphabetWhitespaceAndBadLengths) {
  std::string out;
  EXPECT_FALSE(base64UrlDecode("Zg==", out));   // padding
  EXPECT_FALSE(base64UrlDecode("Zm8=", out));
  EXPECT_FALSE(base64UrlDecode("+/8", out));    // standard alphabet
  EXPECT_FALSE(base64UrlDecode("Zm 9v", out));  // whitespace
  EXPECT_FALSE(base64UrlDecode("Zm9v\n", out));
  EXPECT_FALSE(base64UrlDecode("Z", out));      // 4k+1 characters
  EXPECT_FALSE(base64UrlDecode("Zm9vY", out));
  EXPECT_FALSE(base64UrlDecode(std::string("Zm\0v", 4), out));
  EXPECT_FALSE(base64UrlDecode("Zm9v\xc3\xa9", out));
}

TEST(Base64UrlTest, RefusesNonCanonicalTrailingBits) {
  std::string out;
  EXPECT_TRUE(base64UrlDecode("Zg", out));
  EXPECT_FALSE(base64UrlDecode("Zh", out));  // same byte "f", non-zero unused bits
  EXPECT_TRUE(base64UrlDecode("Zm8", out));
  EXPECT_FALSE(base64UrlDecode("Zm9", out));
}

}  // namespace
}  // namespace portico::dp::filters::jwt_authn
