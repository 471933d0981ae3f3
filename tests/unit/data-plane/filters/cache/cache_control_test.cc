#include "data-plane/filters/cache/cache_control.h"

#include <gtest/gtest.h>

namespace portico::dp::filters::cache {
namespace {

namespace bhttp = boost::beast::http;

router::Fields withCacheControl(std::initializer_list<const char*> values) {
  router::Fields fields;
  for (const char* value : values) fields.insert(bhttp::field::cache_control, value);
  return fields;
}

TEST(CacheControlTest, ParsesDirectivesAcrossFieldsCaseInsensitively) {
  const CacheControl cc = parseCacheControl(withCacheControl({"Public, MAX-AGE=60", "s-maxage=\"120\""}));
  EXPECT_TRUE(cc.is_public);
  EXPECT_FALSE(cc.no_store);
  EXPECT_EQ(cc.max_age, 60);
  EXPECT_EQ(cc.s_maxage, 120);
}

TEST(CacheControlTest, NoStorePrivateNoCacheAndFieldForms) {
  EXPECT_TRUE(parseCacheControl(withCacheControl({"no-store"})).no_store);
  EXPECT_TRUE(parseCacheControl(withCacheControl({"private=\"set-cookie, x-a\""})).is_private);
  EXPECT_TRUE(parseCacheControl(withCacheControl({"no-cache=\"x-b\", max-age=10"})).no_cache);
  EXPECT_TRUE(parseCacheControl(withCacheControl({"proxy-revalidate"})).must_revalidate);
  const CacheControl none = parseCacheControl(router::Fields{});
  EXPECT_FALSE(none.no_store || none.no_cache || none.is_private || none.max_age || none.s_maxage);
}

TEST(CacheControlTest, QuotedCommasDoNotSplit) {
  const CacheControl cc = parseCacheControl(withCacheControl({"private=\"a,b\", max-age=5"}));
  EXPECT_TRUE(cc.is_private);
  EXPECT_EQ(cc.max_age, 5);
}

TEST(CacheControlTest, FirstMaxAgeWinsAndBadValuesAreStale) {
  EXPECT_EQ(parseCacheControl(withCacheControl({"max-age=10, max-age=99"})).max_age, 10);
  EXPECT_EQ(parseCacheControl(withCacheControl({"max-age=abc"})).max_age, 0);
  EXPECT_EQ(parseCacheControl(withCacheControl({"max-age=-5"})).max_age, 0);
  EXPECT_EQ(parseCacheControl(withCacheControl({"max-age=99999999999999999999"})).max_age, int64_t{1} << 31);
}

TEST(CacheControlTest, VaryNamesAreLowerSortedUniqueAndStarIsSeen) {
  router::Fields fields;
  fields.insert(bhttp::field::vary, "Accept-Language, accept-encoding");
  fields.insert(bhttp::field::vary, "Accept-Language");
  const VaryHeaders vary = parseVary(fields);
  EXPECT_EQ(vary.names, (std::vector<std::string>{"accept-encoding", "accept-language"}));
  EXPECT_FALSE(vary.star);
  router::Fields star;
  star.insert(bhttp::field::vary, "accept, *");
  EXPECT_TRUE(parseVary(star).star);
}

TEST(CacheControlTest, HttpDatesInAllThreeForms) {
  EXPECT_EQ(parseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT"), 784111777);
  EXPECT_EQ(parseHttpDate("Sunday, 06-Nov-94 08:49:37 GMT"), 784111777);
  EXPECT_EQ(parseHttpDate("Sun Nov  6 08:49:37 1994"), 784111777);
  EXPECT_EQ(parseHttpDate("0"), std::nullopt);
  EXPECT_EQ(parseHttpDate("yesterday"), std::nullopt);
}

TEST(CacheControlTest, FreshnessPrecedenceSMaxAgeMaxAgeExpiresThenTtl) {
  const std::chrono::seconds ttl(300);
  const int64_t now = 784111777;
  router::Fields fields;
  fields.set(bhttp::field::date, "Sun, 06 Nov 1994 08:49:37 GMT");
  fields.set(bhttp::field::expires, "Sun, 06 Nov 1994 08:50:37 GMT");  // Date + 60 s
  EXPECT_EQ(freshnessLifetime(parseCacheControl(fields), fields, ttl, now).count(), 60);
  fields.set(bhttp::field::cache_control, "max-age=30");
  EXPECT_EQ(freshnessLifetime(parseCacheControl(fields), fields, ttl, now).count(), 30);
  fields.set(bhttp::field::cache_control, "max-age=30, s-maxage=90");
  EXPECT_EQ(freshnessLifetime(parseCacheControl(fields), fields, ttl, now).count(), 90);
  router::Fields plain;
  EXPECT_EQ(freshnessLifetime(parseCacheControl(plain), plain, ttl, now).count(), 300);
}

TEST(CacheControlTest, AgeIsSubtractedAndInvalidExpiresIsExpired) {
  router::Fields fields;
  fields.set(bhttp::field::cache_control, "max-age=100");
  fields.set(bhttp::field::age, "40");
  EXPECT_EQ(freshnessLifetime(parseCacheControl(fields), fields, std::chrono::seconds(300), 0).count(), 60);
  EXPECT_EQ(ageSeconds(fields), 40);
  router::Fields expired;
  expired.set(bhttp::field::expires, "0");
  EXPECT_LE(freshnessLifetime(parseCacheControl(expired), expired, std::chrono::seconds(300), 0).count(), 0);
  // Without Date, Expires counts from now.
  router::Fields no_date;
  no_date.set(bhttp::field::expires, "Sun, 06 Nov 1994 08:49:47 GMT");
  EXPECT_EQ(freshnessLifetime(parseCacheControl(no_date), no_date, std::chrono::seconds(300), 784111777).count(), 10);
}

}  // namespace
}  // namespace portico::dp::filters::cache
