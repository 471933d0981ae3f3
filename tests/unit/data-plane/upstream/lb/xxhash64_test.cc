// xxHash64 against the reference implementation's published vectors, including inputs long
// enough for the 32-byte stripe loop and the xxhsum sanity buffer (cross-checked against
// libxxhash 0.8.1 when this was written).

#include "data-plane/upstream/lb/xxhash64.h"

#include <gtest/gtest.h>

#include <string>

namespace portico::dp::upstream::lb {
namespace {

TEST(XxHash64Test, ReferenceVectorsSeedZero) {
  EXPECT_EQ(xxHash64(""), 0xEF46DB3751D8E999ULL);
  EXPECT_EQ(xxHash64("a"), 0xD24EC4F1A98C6E5BULL);
  EXPECT_EQ(xxHash64("abc"), 0x44BC2CF5AD770999ULL);
  EXPECT_EQ(xxHash64("asdf"), 0x415872F599CEA71EULL);
  EXPECT_EQ(xxHash64("Call me Ishmael."), 0x6D04390FC9D61A90ULL);
  EXPECT_EQ(xxHash64("Nobody inspects the spammish repetition"), 0xFBCEA83C8A378BF1ULL);
}

TEST(XxHash64Test, SeedMatters) {
  EXPECT_EQ(xxHash64("", 1), 0xD5AFBA1336A3BE4BULL);
  EXPECT_NE(xxHash64("abc", 1), xxHash64("abc", 0));
}

// xxhsum's sanity buffer: byte i is the top byte of a 32-bit generator squared each step.
TEST(XxHash64Test, SanityBuffer) {
  constexpr uint64_t kPrime = 2654435761U;
  std::string buffer(101, '\0');
  uint32_t generator = static_cast<uint32_t>(kPrime);
  for (char& byte : buffer) {
    byte = static_cast<char>(generator >> 24);
    generator *= generator;
  }
  EXPECT_EQ(xxHash64(std::string_view(buffer).substr(0, 14), 0), 0xCFFA8DB881BC3A3DULL);
  EXPECT_EQ(xxHash64(std::string_view(buffer).substr(0, 14), kPrime), 0x5B9611585EFCC9CBULL);
  EXPECT_EQ(xxHash64(buffer, 0), 0x0EAB543384F878ADULL);
  EXPECT_EQ(xxHash64(buffer, kPrime), 0xCAA65939306F1E21ULL);
}

TEST(XxHash64Test, EmbeddedNulsAndViewsHashTheBytes) {
  EXPECT_NE(xxHash64(std::string_view("a\0b", 3)), xxHash64("a"));
  const std::string text = "user-42 and more";
  EXPECT_EQ(xxHash64(std::string_view(text).substr(0, 7)), xxHash64("user-42"));
}

}  // namespace
}  // namespace portico::dp::upstream::lb
