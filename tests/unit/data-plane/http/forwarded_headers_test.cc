#include "data-plane/http/forwarded_headers.h"

#include <gtest/gtest.h>

#include <iterator>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "common/strings.h"

namespace portico::dp::http {
namespace {

namespace bhttp = boost::beast::http;

ForwardingOptions edge(uint32_t hops, std::string via = "") {
  return ForwardingOptions{hops, true, std::move(via)};
}

// What the upstream gets of `name`: the values of the request's fields of that name, then of
// the added ones (written after the fields), one per field, in order.
std::vector<std::string> sent(const router::Fields& fields, const AddedFields& added, std::string_view name) {
  std::vector<std::string> out;
  for (const auto& field : fields) {
    if (absl::EqualsIgnoreCase(av(field.name_string()), av(name))) out.emplace_back(field.value());
  }
  for (const auto& [added_name, value] : added) {
    if (absl::EqualsIgnoreCase(av(added_name), av(name))) out.emplace_back(value);
  }
  return out;
}

using Values = std::vector<std::string>;

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
  AddedFields added;
  setForwardingHeaders(fields, "127.0.0.1", "http", edge(0), added);
  EXPECT_EQ(sent(fields, added, "x-forwarded-for"), Values{"1.1.1.1, 2.2.2.2, 127.0.0.1"}) << "merged into one";
  EXPECT_EQ(sent(fields, added, "x-forwarded-proto"), Values{"http"}) << "an untrusted client's proto is replaced";
  EXPECT_EQ(added.size(), 0u) << "both were the client's fields, changed in place";

  router::Fields trusted;
  trusted.set("X-Forwarded-Proto", "https");
  AddedFields trusted_added;
  setForwardingHeaders(trusted, "127.0.0.1", "http", edge(1), trusted_added);
  EXPECT_EQ(sent(trusted, trusted_added, "x-forwarded-for"), Values{"127.0.0.1"});
  EXPECT_EQ(sent(trusted, trusted_added, "x-forwarded-proto"), Values{"https"}) << "kept from a trusted hop";

  router::Fields junk;
  junk.set("X-Forwarded-Proto", "gopher");
  AddedFields junk_added;
  setForwardingHeaders(junk, "127.0.0.1", "http", edge(1), junk_added);
  EXPECT_EQ(sent(junk, junk_added, "x-forwarded-proto"), Values{"http"});
}

TEST(ForwardedHeadersTest, ARequestWithoutThemGetsThemAsAddedFields) {
  router::Fields fields;
  fields.set("Host", "svc");
  AddedFields added;
  setForwardingHeaders(fields, "192.0.2.7", "https", edge(0), added);
  EXPECT_EQ(std::distance(fields.begin(), fields.end()), 1) << "no field inserted";
  ASSERT_EQ(added.size(), 2u);
  EXPECT_EQ(added.begin()[0], (AddedFields::Field{"x-forwarded-for", "192.0.2.7"}));
  EXPECT_EQ(added.begin()[1], (AddedFields::Field{"x-forwarded-proto", "https"}));

  router::Fields inner;  // not the edge: the client's X-Forwarded-For is left alone, none added
  AddedFields inner_added;
  setForwardingHeaders(inner, "10.0.0.1", "http", ForwardingOptions{0, false, ""}, inner_added);
  EXPECT_TRUE(sent(inner, inner_added, "x-forwarded-for").empty());
  EXPECT_EQ(sent(inner, inner_added, "x-forwarded-proto"), Values{"http"});
}

TEST(ForwardedHeadersTest, Via) {
  router::Fields fields;
  AddedFields added;
  setForwardingHeaders(fields, "127.0.0.1", "http", edge(0), added);
  EXPECT_EQ(fields.count("via"), 0u) << "no Via unless configured";
  fields.insert("Via", "1.0 fred");
  AddedFields again;
  setForwardingHeaders(fields, "127.0.0.1", "http", edge(0, "1.1 portico"), again);
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
