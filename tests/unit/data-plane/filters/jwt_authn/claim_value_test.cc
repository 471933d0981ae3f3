#include "data-plane/filters/jwt_authn/claim_value.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

namespace portico::dp::filters::jwt_authn {
namespace {

std::optional<std::string> of(const char* json) { return claimHeaderValue(boost::json::parse(json)); }

TEST(ClaimValueTest, ScalarsBecomeText) {
  EXPECT_EQ(of(R"("alice")"), "alice");
  EXPECT_EQ(of("42"), "42");
  EXPECT_EQ(of("-7"), "-7");
  EXPECT_EQ(of("18446744073709551615"), "18446744073709551615");
  EXPECT_EQ(of("3.0"), "3");
  EXPECT_EQ(of("2.5"), "2.5");
  EXPECT_EQ(of("true"), "true");
  EXPECT_EQ(of("false"), "false");
}

TEST(ClaimValueTest, StructuresNullAndUnsafeTextHaveNoHeaderForm) {
  EXPECT_EQ(of("[1,2]"), std::nullopt);
  EXPECT_EQ(of(R"({"a":1})"), std::nullopt);
  EXPECT_EQ(of("null"), std::nullopt);
  EXPECT_EQ(of(R"("")"), std::nullopt);
  EXPECT_EQ(of(R"("alice\r\nx-admin: 1")"), std::nullopt);  // header injection
  EXPECT_EQ(of(R"("a\u0000b")"), std::nullopt);
  EXPECT_EQ(of(R"("a\u007fb")"), std::nullopt);
  EXPECT_EQ(of(R"("tab\tok")"), "tab\tok");
  EXPECT_EQ(claimHeaderValue(boost::json::value(std::string(kMaxClaimHeaderBytes + 1, 'a'))), std::nullopt);
}

}  // namespace
}  // namespace portico::dp::filters::jwt_authn
