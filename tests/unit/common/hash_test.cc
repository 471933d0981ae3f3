#include "common/hash.h"

#include <gtest/gtest.h>

namespace portico {
namespace {

TEST(HashTest, Sha256HexMatchesKnownVectors) {
  EXPECT_EQ(sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(HashTest, ContentVersionIsTheFirstSixteenHexDigits) {
  EXPECT_EQ(contentVersion(""), "e3b0c44298fc1c14");
  EXPECT_EQ(contentVersion("abc"), "ba7816bf8f01cfea");
}

TEST(HashTest, ContentVersionIsStableAndContentSensitive) {
  const std::string bytes("cluster\0orders\n", 15);
  EXPECT_EQ(contentVersion(bytes), contentVersion(std::string(bytes)));
  EXPECT_EQ(contentVersion(bytes).size(), 16u);
  EXPECT_NE(contentVersion(bytes), contentVersion("cluster\0orders\r"));
  // Embedded NULs count: the view's size is hashed, not a C string.
  EXPECT_NE(contentVersion(std::string_view("a\0b", 3)), contentVersion("a"));
}

}  // namespace
}  // namespace portico
