#include "data-plane/http/query_params.h"

#include <gtest/gtest.h>

namespace portico::dp::http {
namespace {

TEST(QueryParamsTest, FindsDecodedValues) {
  EXPECT_EQ(findQueryParam("a=1&key=s%65cret&b=2", "key"), "secret");
  EXPECT_EQ(findQueryParam("k%65y=x", "key"), "x") << "names are compared decoded";
  EXPECT_EQ(findQueryParam("q=a+b%20c", "q"), "a b c");
  EXPECT_EQ(findQueryParam("key", "key"), "") << "present without a value";
  EXPECT_EQ(findQueryParam("key=1&key=2", "key"), "1") << "the first one";
  EXPECT_EQ(findQueryParam("a=1", "key"), std::nullopt);
  EXPECT_EQ(findQueryParam("", "key"), std::nullopt);
  EXPECT_EQ(findQueryParam("key=%zz%4", "key"), "%zz%4") << "bad escapes stay as they are";
}

TEST(QueryParamsTest, RemovesEveryOccurrenceAndKeepsTheRest) {
  EXPECT_EQ(removeQueryParam("a=1&key=x&b=%20", "key"), "a=1&b=%20");
  EXPECT_EQ(removeQueryParam("key=x&key=y", "key"), "");
  EXPECT_EQ(removeQueryParam("k%65y=x&a", "key"), "a");
  EXPECT_EQ(removeQueryParam("a=1&&b=2", "key"), "a=1&b=2");
  EXPECT_EQ(removeQueryParam("a=1", "key"), "a=1");
}

}  // namespace
}  // namespace portico::dp::http
