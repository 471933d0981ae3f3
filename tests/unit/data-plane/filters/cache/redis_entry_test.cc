// The Redis backend's value format (redis_entry.h) and key names (redis_keys.h): round trips,
// and every damaged value refused rather than read past its end.

#include "data-plane/filters/cache/redis_entry.h"

#include <gtest/gtest.h>

#include "data-plane/filters/cache/redis_keys.h"

namespace portico::dp::filters::cache {
namespace {

RedisEntry response() {
  RedisEntry entry;
  entry.kind = RedisEntry::Kind::kResponse;
  entry.stored_at_ms = 1'790'000'000'123;
  entry.initial_age = 7;
  entry.response.status = 203;
  entry.response.headers = {{"Content-Type", "application/json"}, {"ETag", "\"v1\""}, {"X-Empty", ""}};
  entry.response.body = std::string("{\"n\":1}\0binary\xff", 16);
  return entry;
}

TEST(RedisEntryTest, ResponseRoundTrips) {
  const RedisEntry in = response();
  const auto out = decodeEntry(encodeEntry(in));
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(out->kind, RedisEntry::Kind::kResponse);
  EXPECT_EQ(out->stored_at_ms, in.stored_at_ms);
  EXPECT_EQ(out->initial_age, 7);
  EXPECT_EQ(out->response.status, 203u);
  EXPECT_EQ(out->response.headers, in.response.headers);
  EXPECT_EQ(out->response.body, in.response.body);
}

TEST(RedisEntryTest, VaryMarkerRoundTrips) {
  RedisEntry in;
  in.kind = RedisEntry::Kind::kVary;
  in.stored_at_ms = 5;
  in.vary = {"accept-encoding", "accept-language"};
  const auto out = decodeEntry(encodeEntry(in));
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(out->kind, RedisEntry::Kind::kVary);
  EXPECT_EQ(out->vary, in.vary);
}

TEST(RedisEntryTest, EveryTruncationAndTrailingByteIsRefused) {
  const std::string value = encodeEntry(response());
  for (size_t size = 0; size < value.size(); ++size) {
    EXPECT_FALSE(decodeEntry(value.substr(0, size)).has_value()) << "truncated to " << size;
  }
  EXPECT_FALSE(decodeEntry(value + "x").has_value());
}

TEST(RedisEntryTest, ForeignOrDamagedValuesAreRefused) {
  EXPECT_FALSE(decodeEntry("").has_value());
  EXPECT_FALSE(decodeEntry("hello world").has_value());
  std::string value = encodeEntry(response());
  std::string other_version = value;
  other_version[3] = '2';
  EXPECT_FALSE(decodeEntry(other_version).has_value());
  std::string bad_kind = value;
  bad_kind[4] = 9;
  EXPECT_FALSE(decodeEntry(bad_kind).has_value());
  // A header count of 2^32-1: refused before anything is reserved.
  std::string huge = value;
  const size_t count_at = 4 + 1 + 16 + 2;
  for (size_t i = 0; i < 4; ++i) huge[count_at + i] = '\xff';
  EXPECT_FALSE(decodeEntry(huge).has_value());
  // A header that would split the response (CRLF in a value) or has no name.
  RedisEntry split = response();
  split.response.headers.push_back({"X-Evil", "a\r\nSet-Cookie: s=1"});
  EXPECT_FALSE(decodeEntry(encodeEntry(split)).has_value());
  RedisEntry nameless = response();
  nameless.response.headers.push_back({"", "v"});
  EXPECT_FALSE(decodeEntry(encodeEntry(nameless)).has_value());
  RedisEntry empty_marker;
  empty_marker.kind = RedisEntry::Kind::kVary;
  EXPECT_FALSE(decodeEntry(encodeEntry(empty_marker)).has_value());
}

TEST(RedisKeysTest, EntryKeysEmbedRouteAndPathAndHashTheRest) {
  const std::string head = redis_keys::entryHead("catalog", "/products/42");
  EXPECT_EQ(head, "portico:cache:e:catalog /products/42 ");
  const std::string a = redis_keys::entryKey(head, "0.3", "primary-a");
  EXPECT_EQ(a.substr(0, head.size() + 4), head + "0.3:");
  EXPECT_EQ(a.size(), head.size() + 4 + 32);
  EXPECT_NE(a, redis_keys::entryKey(head, "0.3", "primary-b"));
  EXPECT_NE(a, redis_keys::entryKey(head, "1.3", "primary-a")) << "a generation changes every key";
}

TEST(RedisKeysTest, PrefixPatternsEscapeGlobCharacters) {
  EXPECT_EQ(redis_keys::prefixPattern("catalog", "/products"), "portico:cache:e:catalog /products*");
  EXPECT_EQ(redis_keys::prefixPattern("", "/products"), "portico:cache:e:* /products*");
  EXPECT_EQ(redis_keys::prefixPattern("r", "/a*b?[c]\\"), "portico:cache:e:r /a\\*b\\?\\[c\\]\\\\*");
}

}  // namespace
}  // namespace portico::dp::filters::cache
