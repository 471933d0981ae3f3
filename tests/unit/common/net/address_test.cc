#include "common/net/address.h"

#include <gtest/gtest.h>

#include <string>

namespace portico::net {
namespace {

std::string errorOf(std::string_view text) {
  auto parsed = parseHostPort(text);
  EXPECT_FALSE(parsed.ok()) << text;
  if (parsed.ok()) {
    return "";
  }
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(parsed.status().message());
}

TEST(ParseHostPortTest, ParsesIpv4AndNames) {
  auto v4 = parseHostPort("127.0.0.1:8080");
  ASSERT_TRUE(v4.ok()) << v4.status();
  EXPECT_EQ(v4->host, "127.0.0.1");
  EXPECT_EQ(v4->port, 8080);

  auto name = parseHostPort("localhost:1");
  ASSERT_TRUE(name.ok()) << name.status();
  EXPECT_EQ(name->host, "localhost");
  EXPECT_EQ(name->port, 1);

  auto max = parseHostPort("0.0.0.0:65535");
  ASSERT_TRUE(max.ok()) << max.status();
  EXPECT_EQ(max->port, 65535);
}

TEST(ParseHostPortTest, ParsesBracketedIpv6) {
  auto v6 = parseHostPort("[::1]:18000");
  ASSERT_TRUE(v6.ok()) << v6.status();
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 18000);

  auto full = parseHostPort("[2001:db8::5]:443");
  ASSERT_TRUE(full.ok()) << full.status();
  EXPECT_EQ(full->host, "2001:db8::5");
  EXPECT_EQ(full->port, 443);
}

TEST(ParseHostPortTest, RefusesMissingPortOrHost) {
  EXPECT_EQ(errorOf("127.0.0.1"), "bad address \"127.0.0.1\"; expected host:port");
  EXPECT_EQ(errorOf(":80"), "bad address \":80\"; expected host:port");
  EXPECT_EQ(errorOf(""), "bad address \"\"; expected host:port");
  EXPECT_EQ(errorOf("[::1]"), "bad address \"[::1]\"; expected [v6]:port");
  EXPECT_EQ(errorOf("[::1:80"), "bad address \"[::1:80\"; expected [v6]:port");
  EXPECT_EQ(errorOf("[::1]80"), "bad address \"[::1]80\"; expected [v6]:port");
}

TEST(ParseHostPortTest, RefusesBadPorts) {
  EXPECT_EQ(errorOf("host:0"), "bad port in \"host:0\"; expected 1..65535");
  EXPECT_EQ(errorOf("host:65536"), "bad port in \"host:65536\"; expected 1..65535");
  EXPECT_EQ(errorOf("host:http"), "bad port in \"host:http\"; expected 1..65535");
  EXPECT_EQ(errorOf("host:"), "bad port in \"host:\"; expected 1..65535");
  EXPECT_EQ(errorOf("host:-1"), "bad port in \"host:-1\"; expected 1..65535");
  EXPECT_EQ(errorOf("[::1]:"), "bad port in \"[::1]:\"; expected 1..65535");
}

TEST(IsIpLiteralTest, AcceptsIpv4AndIpv6Literals) {
  EXPECT_TRUE(isIpLiteral("127.0.0.1"));
  EXPECT_TRUE(isIpLiteral("10.1.2.3"));
  EXPECT_TRUE(isIpLiteral("0.0.0.0"));
  EXPECT_TRUE(isIpLiteral("::1"));
  EXPECT_TRUE(isIpLiteral("::"));
  EXPECT_TRUE(isIpLiteral("2001:db8::1"));
  EXPECT_TRUE(isIpLiteral("::ffff:10.0.0.1"));
}

TEST(IsIpLiteralTest, RefusesNamesAndMalformedAddresses) {
  EXPECT_FALSE(isIpLiteral(""));
  EXPECT_FALSE(isIpLiteral("localhost"));
  EXPECT_FALSE(isIpLiteral("orders.internal"));
  EXPECT_FALSE(isIpLiteral("[::1]"));
  EXPECT_FALSE(isIpLiteral("1.2.3"));
  EXPECT_FALSE(isIpLiteral("256.0.0.1"));
  EXPECT_FALSE(isIpLiteral("127.0.0.1:80"));
  EXPECT_FALSE(isIpLiteral(" 127.0.0.1"));
  EXPECT_FALSE(isIpLiteral(std::string(46, '1')));
}

}  // namespace
}  // namespace portico::net
