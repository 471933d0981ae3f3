#include "data-plane/http/request_id.h"

#include <gtest/gtest.h>

#include <cstdio>

#include <string>
#include <unordered_set>

namespace portico::dp::http {
namespace {

TEST(ValidRequestIdTest, Length) {
  EXPECT_FALSE(validRequestId(""));
  EXPECT_TRUE(validRequestId("a"));
  EXPECT_TRUE(validRequestId(std::string(128, 'x')));
  EXPECT_FALSE(validRequestId(std::string(129, 'x')));
}

TEST(ValidRequestIdTest, AllowedCharacters) {
  EXPECT_TRUE(validRequestId("0123456789"));
  EXPECT_TRUE(validRequestId("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"));
  EXPECT_TRUE(validRequestId("a-b_c.d:e"));
  EXPECT_TRUE(validRequestId("-_.:"));
  EXPECT_TRUE(validRequestId("3f2b8c1e-9a4d-4b6f-8e21-0c5d7a9b1f34"));
  EXPECT_TRUE(validRequestId("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
}

TEST(ValidRequestIdTest, RefusedCharacters) {
  for (const std::string bad : {"a b", "a\tb", "a\rb", "a\nb", "a/b", "a=b", "a;b", "a,b", "a\"b", "a'b",
                                "a<b", "a>b", "a%b", "a+b", "a{b", "a}b", "a\\b", "a@b", "a#b"}) {
    EXPECT_FALSE(validRequestId(bad)) << bad;
  }
  EXPECT_FALSE(validRequestId(std::string("a\0b", 3)));
  EXPECT_FALSE(validRequestId("caf\xc3\xa9"));  // non-ASCII (UTF-8 é)
  EXPECT_FALSE(validRequestId("\x7f"));
}

bool isLowerHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

TEST(RequestIdGeneratorTest, ProducesUuidV4) {
  RequestIdGenerator generator(12345);
  for (int i = 0; i < 1000; ++i) {
    const std::string id = generator.next();
    ASSERT_EQ(id.size(), 36u) << id;
    for (size_t pos = 0; pos < id.size(); ++pos) {
      if (pos == 8 || pos == 13 || pos == 18 || pos == 23) {
        ASSERT_EQ(id[pos], '-') << id;
      } else {
        ASSERT_TRUE(isLowerHex(id[pos])) << id << " at " << pos;
      }
    }
    ASSERT_EQ(id[14], '4') << "version nibble: " << id;
    ASSERT_TRUE(id[19] == '8' || id[19] == '9' || id[19] == 'a' || id[19] == 'b') << "variant: " << id;
    ASSERT_TRUE(validRequestId(id)) << id;
  }
}

TEST(RequestIdGeneratorTest, DistinctAcrossTenThousandCalls) {
  RequestIdGenerator generator(7);
  std::unordered_set<std::string> seen;
  for (int i = 0; i < 10000; ++i) {
    ASSERT_TRUE(seen.insert(generator.next()).second) << "repeat after " << i << " ids";
  }
}

TEST(RequestIdGeneratorTest, SameSeedSameSequenceDifferentSeedDifferentIds) {
  RequestIdGenerator a(42);
  RequestIdGenerator b(42);
  RequestIdGenerator c(43);
  const std::string first_a = a.next();
  EXPECT_EQ(first_a, b.next());
  EXPECT_NE(first_a, c.next());
  EXPECT_NE(first_a, a.next());
}

TEST(RequestIdGeneratorTest, SeedZeroWorks) {
  RequestIdGenerator generator(0);
  const std::string one = generator.next();
  const std::string two = generator.next();
  EXPECT_NE(one, two);
  EXPECT_NE(one, "00000000-0000-4000-8000-000000000000");
}

}  // namespace
}  // namespace portico::dp::http

namespace portico::dp::http {
namespace {

// The id is the generator's next two random words, version and variant bits set, in order:
// checked against printf's hex formatting of the same words.
TEST(RequestIdGeneratorTest, DigitsAreTheRandomBitsInOrder) {
  RequestIdGenerator ids(12345);
  RequestIdGenerator words(12345);
  for (int i = 0; i < 100; ++i) {
    const uint64_t hi = (words.nextRandom() & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;
    const uint64_t lo = (words.nextRandom() & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;
    char expected[40];
    std::snprintf(expected, sizeof(expected), "%08llx-%04llx-%04llx-%04llx-%012llx",
                  static_cast<unsigned long long>(hi >> 32), static_cast<unsigned long long>((hi >> 16) & 0xffff),
                  static_cast<unsigned long long>(hi & 0xffff), static_cast<unsigned long long>(lo >> 48),
                  static_cast<unsigned long long>(lo & 0xffffffffffffULL));
    EXPECT_EQ(ids.next(), expected);
  }
}

}  // namespace
}  // namespace portico::dp::http
