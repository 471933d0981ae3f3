#include "data-plane/http/forwarded_headers.h"

#include <gtest/gtest.h>

#include <string>

namespace portico::dp::http {
namespace {

namespace bhttp = boost::beast::http;

ForwardingOptions edge(uint32_t hops, std::string via = "") {
  return ForwardingOptions{hops, true, std::move(via)};
}

router::Fields withXff(std::initializer_list<const char*> values) {
  router::Fields fields;
  for (const char* value : values) fields.insert("X-Forwarded-For", value);
  return fields;
}

// Envoy's documented examples (HCM x-forwarded-for, use_remote_address = true).
TEST(ForwardedHeadersTest, ClientAddressFollowsTrustedHops) {
  const auto xff = withXff({"203.0.113.128, 203.0.113.10, 203.0.113.1"});
  EXPECT_EQ(clientAddress(xff, "192.0.2.5", edge(0)), "192.0.2.5");
  EXPECT_EQ(clientAddress(xff, "192.0.2.5", edge(1)), "203.0.113.1");
  EXPECT_EQ(clientAddress(xff, "192.0.2.5", edge(2)), "203.0.113.10");
  EXPECT_EQ(clientAddress(xff, "192.0.2.5", edge(3)), "203.0.113.128");
  EXPECT_EQ(clientAddress(xff, "192.0.2.5", edge(4)), "192.0.2.5") << "too short: the peer";
  EXPECT_EQ(clientAddress(router::Fields{}, "192.0.2.5", edge(2)), "192.0.2.5");
  // Without use_remote_address: the (hops + 1)-th from the right.
  EXPECT_EQ(clientAddress(xff, "10.0.0.1", ForwardingOptions{0, false, ""}), "203.0.113.1");
  EXPECT_EQ(clientAddress(xff, "10.0.0.1", ForwardingOptions{2, false, ""}), "203.0.113.128");
}

TEST(ForwardedHeadersTest, SeveralFieldsAreOneListAndJunkFallsBack) {
  const auto split = withXff({"1.1.1.1, 2.2.2.2", "3.3.3.3"});
  EXPECT_EQ(clientAddress(split, "9.9.9.9", edge(1)), "3.3.3.3");
  EXPECT_EQ(clientAddress(split, "9.9.9.9", edge(2)), "2.2.2.2");
  EXPECT_EQ(clientAddress(split, "9.9.9.9", edge(3)), "1.1.1.1");
  EXPECT_EQ(clientAddress(withXff({"not-an-ip, 2.2.2.2"}), "9.9.9.9", edge(2)), "9.9.9.9");
  EXPECT_EQ(clientAddress(withXff({"1.1.1.1,,2.2.2.2"}), "9.9.9.9", edge(2)), "9.9.9.9");
  EXPECT_EQ(clientAddress(withXff({" 2001:DB8::1 ,3.3.3.3"}), "9.9.9.9", edge(2)), "2001:db8::1");
}

TEST(ForwardedHeadersTest, AppendsThePeerAndSetsProto) {
  router::Fields fields = withXff({"1.1.1.1", "2.2.2.2"});
  fields.set("X-Forwarded-Proto", "https");
  setForwardingHeaders(fields, "127.0.0.1", "http", edge(0));
  EXPECT_EQ(fields["x-forwarded-for"], "1.1.1.1, 2.2.2.2, 127.0.0.1");
  EXPECT_EQ(fields.count("x-forwarded-for"), 1u);
  EXPECT_EQ(fields["x-forwarded-proto"], "http") << "an untrusted client's proto is replaced";

  router::Fields trusted;
  trusted.set("X-Forwarded-Proto", "https");
  setForwardingHeaders(trusted, "127.0.0.1", "http", edge(1));
  EXPECT_EQ(trusted["x-forwarded-for"], "127.0.0.1");
  EXPECT_EQ(trusted["x-forwarded-proto"], "https") << "kept from a trusted hop";

  router::Fields junk;
  junk.set("X-Forwarded-Proto", "gopher");
  setForwardingHeaders(junk, "127.0.0.1", "http", edge(1));
  EXPECT_EQ(junk["x-forwarded-proto"], "http");
}

TEST(ForwardedHeadersTest, Via) {
  router::Fields fields;
  setForwardingHeaders(fields, "127.0.0.1", "http", edge(0));
  EXPECT_EQ(fields.count("via"), 0u) << "no Via unless configured";
  fields.insert("Via", "1.0 fred");
  setForwardingHeaders(fields, "127.0.0.1", "http", edge(0, "1.1 portico"));
  EXPECT_EQ(fields["via"], "1.0 fred, 1.1 portico");
  router::Fields response;
  appendVia(response, edge(0, "1.1 portico"));
  EXPECT_EQ(response["via"], "1.1 portico");
  EXPECT_TRUE(validViaValue("1.1 portico"));
  EXPECT_FALSE(validViaValue(""));
  EXPECT_FALSE(validViaValue(" x"));
  EXPECT_FALSE(validViaValue("a\r\nb"));
}

}  // namespace
}  // namespace portico::dp::http
