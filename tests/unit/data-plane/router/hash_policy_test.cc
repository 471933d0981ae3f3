// The request hash of a route's hash policies: header, cookie, client address, Envoy's
// combination rule and `terminal`.

#include "data-plane/router/hash_policy.h"

#include <gtest/gtest.h>

#include "data-plane/upstream/lb/xxhash64.h"

namespace portico::dp::router {
namespace {

using upstream::lb::xxHash64;
namespace bhttp = boost::beast::http;

HashPolicy header(std::string name, bool terminal = false) {
  return {HashPolicy::Kind::kHeader, std::move(name), terminal};
}
HashPolicy cookie(std::string name, bool terminal = false) {
  return {HashPolicy::Kind::kCookie, std::move(name), terminal};
}
HashPolicy sourceIp(bool terminal = false) { return {HashPolicy::Kind::kSourceIp, "", terminal}; }

uint64_t rotl1(uint64_t h) { return (h << 1) | (h >> 63); }

TEST(HashPolicyTest, HeaderValueIsHashed) {
  router::Fields headers;
  headers.set("X-User-Id", "user-42");
  EXPECT_EQ(computeRequestHash({header("x-user-id")}, headers, "10.0.0.1"), xxHash64("user-42"));
  EXPECT_EQ(computeRequestHash({header("x-other")}, headers, "10.0.0.1"), std::nullopt);
}

TEST(HashPolicyTest, CookieValueIsHashed) {
  router::Fields headers;
  headers.insert(bhttp::field::cookie, "theme=dark; session=abc123");
  headers.insert(bhttp::field::cookie, "other=\"quoted\"");
  EXPECT_EQ(computeRequestHash({cookie("session")}, headers, ""), xxHash64("abc123"));
  EXPECT_EQ(computeRequestHash({cookie("other")}, headers, ""), xxHash64("quoted"));
  EXPECT_EQ(computeRequestHash({cookie("sess")}, headers, ""), std::nullopt) << "exact names only";
  EXPECT_EQ(findCookie(headers, "theme"), "dark");
}

TEST(HashPolicyTest, SourceIpIsHashed) {
  router::Fields headers;
  EXPECT_EQ(computeRequestHash({sourceIp()}, headers, "192.0.2.7"), xxHash64("192.0.2.7"));
  EXPECT_EQ(computeRequestHash({sourceIp()}, headers, ""), std::nullopt);
}

TEST(HashPolicyTest, PoliciesCombineAsEnvoyDoes) {
  router::Fields headers;
  headers.set("x-a", "1");
  headers.set("x-b", "2");
  const uint64_t a = xxHash64("1");
  const uint64_t b = xxHash64("2");
  EXPECT_EQ(computeRequestHash({header("x-a"), header("x-b")}, headers, ""), rotl1(a) ^ b);
  EXPECT_EQ(computeRequestHash({header("x-missing"), header("x-b")}, headers, ""), b) << "absent values skip";
}

TEST(HashPolicyTest, TerminalStopsOnceItProducedAValue) {
  router::Fields headers;
  headers.set("x-a", "1");
  EXPECT_EQ(computeRequestHash({header("x-a", true), sourceIp()}, headers, "10.0.0.1"), xxHash64("1"));
  // A terminal policy without a value does not stop the list.
  EXPECT_EQ(computeRequestHash({header("x-none", true), sourceIp()}, headers, "10.0.0.1"), xxHash64("10.0.0.1"));
}

}  // namespace
}  // namespace portico::dp::router
