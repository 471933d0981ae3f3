// SNI certificate choice: exact names first, then one-label wildcards, case-insensitive, first
// certificate on no match.

#include "data-plane/tls/sni_matcher.h"

#include <gtest/gtest.h>

namespace portico::dp::tls {
namespace {

TEST(SniMatcherTest, ExactNamesPickTheirCertificate) {
  SniMatcher matcher({{"api.example.com", "www.example.com"}, {"admin.example.com"}});
  EXPECT_EQ(matcher.find("api.example.com"), 0);
  EXPECT_EQ(matcher.find("www.example.com"), 0);
  EXPECT_EQ(matcher.find("admin.example.com"), 1);
  EXPECT_EQ(matcher.find("other.example.com"), -1);
  EXPECT_EQ(matcher.find(""), -1);
}

TEST(SniMatcherTest, CaseAndTrailingDotAreIgnored) {
  SniMatcher matcher({{"api.example.com"}, {"Admin.Example.COM."}});
  EXPECT_EQ(matcher.find("API.Example.com"), 0);
  EXPECT_EQ(matcher.find("api.example.com."), 0);
  EXPECT_EQ(matcher.find("admin.example.com"), 1);
}

TEST(SniMatcherTest, WildcardCoversExactlyOneLabel) {
  SniMatcher matcher({{"first.test"}, {"*.example.com"}});
  EXPECT_EQ(matcher.find("a.example.com"), 1);
  EXPECT_EQ(matcher.find("b.EXAMPLE.com"), 1);
  EXPECT_EQ(matcher.find("example.com"), -1) << "the wildcard needs a label in front";
  EXPECT_EQ(matcher.find("a.b.example.com"), -1) << "one label only";
  EXPECT_EQ(matcher.find(".example.com"), -1);
}

TEST(SniMatcherTest, ExactBeatsWildcardWhateverTheOrder) {
  SniMatcher matcher({{"*.example.com"}, {"api.example.com"}});
  EXPECT_EQ(matcher.find("api.example.com"), 1);
  EXPECT_EQ(matcher.find("web.example.com"), 0);
}

TEST(SniMatcherTest, EarlierCertificateWinsADuplicateName) {
  SniMatcher matcher({{"api.example.com"}, {"api.example.com", "*.example.com"}, {"*.example.com"}});
  EXPECT_EQ(matcher.find("api.example.com"), 0);
  EXPECT_EQ(matcher.find("x.example.com"), 1);
}

TEST(SniMatcherTest, PartialWildcardsAreNotWildcards) {
  SniMatcher matcher({{"f*.example.com", "*", "*."}});
  EXPECT_EQ(matcher.find("foo.example.com"), -1);
  EXPECT_EQ(matcher.find("f*.example.com"), -1);
  EXPECT_EQ(matcher.find("anything"), -1);
}

}  // namespace
}  // namespace portico::dp::tls
