#include "data-plane/filters/cache/cache_key.h"

#include <gtest/gtest.h>

#include "portico/filters/cache/v1/cache.pb.h"

namespace portico::dp::filters::cache {
namespace {

namespace bhttp = boost::beast::http;

std::shared_ptr<const CacheSettings> settings(bool include_query = true, std::vector<std::string> params = {},
                                              std::vector<std::string> headers = {}) {
  portico::filters::cache::v1::Cache in;
  in.set_include_query(include_query);
  for (const auto& p : params) in.add_query_params(p);
  for (const auto& h : headers) in.add_key_headers(h);
  auto out = compileCacheSettings(in);
  EXPECT_TRUE(out.ok()) << out.status();
  return *out;
}

std::string key(const CacheSettings& s, std::string_view query, const router::Fields& headers = {},
                std::string_view route = "r", std::string_view host = "api.example.com", std::string_view path = "/a",
                std::string_view method = "GET") {
  return primaryKey(s, KeyInput{route, method, host, path, query, &headers});
}

TEST(CacheKeyTest, EveryPartDistinguishes) {
  const auto s = settings();
  const std::string base = key(*s, "x=1");
  EXPECT_EQ(base, key(*s, "x=1"));
  EXPECT_NE(base, key(*s, "x=2"));
  EXPECT_NE(base, key(*s, "x=1", {}, "other-route"));
  EXPECT_NE(base, key(*s, "x=1", {}, "r", "other.example.com"));
  EXPECT_NE(base, key(*s, "x=1", {}, "r", "api.example.com", "/b"));
  EXPECT_NE(base, key(*s, "x=1", {}, "r", "api.example.com", "/a", "HEAD"));
  EXPECT_EQ(base, key(*s, "x=1", {}, "r", "API.Example.COM")) << "the host is case-insensitive";
}

TEST(CacheKeyTest, PartsCannotImitateEachOther) {
  const auto s = settings();
  // "r" + "GET" vs "rG" + "ET": length prefixes keep them apart.
  EXPECT_NE(key(*s, "", {}, "r", "h", "/p", "GET"), key(*s, "", {}, "rG", "h", "/p", "ET"));
}

TEST(CacheKeyTest, WholeQueryAsReceivedUnlessConfigured) {
  const auto whole = settings();
  EXPECT_NE(key(*whole, "a=1&b=2"), key(*whole, "b=2&a=1")) << "the whole query is kept as is";
  const auto none = settings(/*include_query=*/false);
  EXPECT_EQ(key(*none, "a=1"), key(*none, "a=2"));
  EXPECT_EQ(key(*none, "a=1"), key(*none, ""));
  const auto some = settings(true, {"page", "size"});
  EXPECT_EQ(key(*some, "page=2&utm_source=x&size=10"), key(*some, "size=10&page=2"));
  EXPECT_NE(key(*some, "page=2"), key(*some, "page=3"));
  // query_params wins over include_query: false (the operator named parameters to keep).
  const auto listed = settings(false, {"page"});
  EXPECT_NE(key(*listed, "page=2"), key(*listed, "page=3"));
}

TEST(CacheKeyTest, FilterQueryKeepsListedSortedByNameStably) {
  EXPECT_EQ(filterQuery("z=1&a=2&m=3&a=1", {"a", "z"}), "a=2&a=1&z=1");
  EXPECT_EQ(filterQuery("flag&x=1", {"flag"}), "flag");
  EXPECT_EQ(filterQuery("", {"a"}), "");
}

TEST(CacheKeyTest, KeyHeadersDistinguishAbsentEmptyAndValues) {
  const auto s = settings(true, {}, {"Accept-Language"});
  router::Fields en;
  en.set("accept-language", "en");
  router::Fields fr;
  fr.set("accept-language", "fr");
  router::Fields empty;
  empty.set("accept-language", "");
  router::Fields absent;
  EXPECT_NE(key(*s, "", en), key(*s, "", fr));
  EXPECT_NE(key(*s, "", empty), key(*s, "", absent));
  EXPECT_EQ(key(*s, "", en), key(*s, "", en));
  router::Fields other;
  other.set("x-other", "1");
  EXPECT_EQ(key(*s, "", absent), key(*s, "", other)) << "only key_headers count";
}

TEST(CacheKeyTest, VariantKeysFollowTheVaryHeadersValues) {
  router::Fields gzip;
  gzip.set("accept-encoding", "gzip");
  router::Fields br;
  br.set("accept-encoding", "br");
  const std::vector<std::string> vary = {"accept-encoding"};
  EXPECT_NE(variantKey("p", vary, gzip), variantKey("p", vary, br));
  EXPECT_EQ(variantKey("p", vary, gzip), variantKey("p", vary, gzip));
  EXPECT_NE(variantKey("p", vary, gzip), "p");
  EXPECT_NE(variantKey("p", vary, gzip), variantKey("q", vary, gzip));
}

}  // namespace
}  // namespace portico::dp::filters::cache
