#include "control-plane/admin/revocation_api.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "common/strings.h"

namespace portico::cp::admin {
namespace {

namespace json = boost::json;

std::string errorOf(std::string_view body) {
  auto parsed = revocationFromJson(body);
  EXPECT_FALSE(parsed.ok()) << body;
  if (parsed.ok()) return "";
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument) << body;
  return std::string(parsed.status().message());
}

TEST(RevocationFromJsonTest, AcceptsTheDocumentedForms) {
  auto plain = revocationFromJson(R"({"jti": "abc"})");
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_EQ(plain->jti, "abc");
  EXPECT_EQ(plain->expires_at, 0);
  auto null_expiry = revocationFromJson(R"({"jti": "abc", "expires_at": null})");
  ASSERT_TRUE(null_expiry.ok());
  EXPECT_EQ(null_expiry->expires_at, 0);
  auto unix_seconds = revocationFromJson(R"({"jti": "abc", "expires_at": 1893456000})");
  ASSERT_TRUE(unix_seconds.ok());
  EXPECT_EQ(unix_seconds->expires_at, 1893456000);
  auto text = revocationFromJson(R"({"expires_at": "2030-01-01T01:00:00+01:00", "jti": "abc"})");
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(text->expires_at, 1893456000);
  auto utc = revocationFromJson(R"({"jti": "abc", "expires_at": "2030-01-01T00:00:00Z"})");
  ASSERT_TRUE(utc.ok());
  EXPECT_EQ(utc->expires_at, 1893456000);
  auto digits = revocationFromJson(R"({"jti": "abc", "expires_at": "1893456000"})");
  ASSERT_TRUE(digits.ok());
  EXPECT_EQ(digits->expires_at, 1893456000);
}

TEST(RevocationFromJsonTest, RoundsAFractionalExpiryUp) {
  auto parsed = revocationFromJson(R"({"jti": "abc", "expires_at": "2030-01-01T00:00:00.250Z"})");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->expires_at, 1893456001);
}

TEST(RevocationFromJsonTest, RefusesBadBodies) {
  EXPECT_EQ(errorOf("{"), "body: not valid JSON (incomplete JSON)");
  EXPECT_EQ(errorOf("[]"), "body: must be a JSON object {\"jti\": ..., \"expires_at\"?: ...}");
  EXPECT_EQ(errorOf("{}"), "jti: required");
  EXPECT_EQ(errorOf(R"({"jti": ""})"), "jti: must not be empty");
  EXPECT_EQ(errorOf(R"({"jti": 42})"), "jti: must be a string");
  EXPECT_EQ(errorOf(cat(R"({"jti": ")", std::string(300, 'j'), R"("})")),
            "jti: 300 bytes is too long (at most 256)");
  EXPECT_EQ(errorOf(R"({"jti": "a\u0001b"})"), "jti: control characters are not allowed");
  EXPECT_EQ(errorOf(R"({"jti": "abc", "reason": "leaked"})"), "reason: unknown field; allowed: jti, expires_at");
}

TEST(RevocationFromJsonTest, RefusesBadExpiries) {
  const std::string forms =
      "must be unix seconds (an integer) or an RFC 3339 time such as \"2030-01-01T00:00:00Z\"";
  EXPECT_EQ(errorOf(R"({"jti": "a", "expires_at": "tomorrow"})"), cat("expires_at: \"tomorrow\" ", forms));
  EXPECT_EQ(errorOf(R"({"jti": "a", "expires_at": "2030-01-01"})"), cat("expires_at: \"2030-01-01\" ", forms));
  EXPECT_EQ(errorOf(R"({"jti": "a", "expires_at": 1.5e9})"), cat("expires_at: ", forms));
  EXPECT_EQ(errorOf(R"({"jti": "a", "expires_at": true})"), cat("expires_at: ", forms));
  EXPECT_EQ(errorOf(R"({"jti": "a", "expires_at": ""})"), cat("expires_at: empty; ", forms));
  EXPECT_EQ(errorOf(R"({"jti": "a", "expires_at": 0})"),
            "expires_at: 0 is not a positive unix time; leave expires_at out for no expiry");
  EXPECT_EQ(errorOf(R"({"jti": "a", "expires_at": -5})"),
            "expires_at: -5 is not a positive unix time; leave expires_at out for no expiry");
  EXPECT_EQ(errorOf(R"({"jti": "a", "expires_at": 253402300800})"),
            "expires_at: 253402300800 is after 9999-12-31T23:59:59Z");
  EXPECT_EQ(errorOf(R"({"jti": "a", "expires_at": 18446744073709551615})"),
            "expires_at: 18446744073709551615 is after 9999-12-31T23:59:59Z");
  EXPECT_EQ(errorOf(R"({"jti": "a", "expires_at": "99999999999999999999"})"),
            "expires_at: \"99999999999999999999\" is after 9999-12-31T23:59:59Z");
}

class RevocationApiTest : public ::testing::Test {
 protected:
  RevocationApiTest() : store_(options()) { addRevocationRoutes(router_, store_); }

  static registry::RevocationStore::Options options() {
    registry::RevocationStore::Options out;
    out.max_entries = 3;
    out.clock = [] { return absl::FromUnixSeconds(1'800'000'000); };
    return out;
  }

  http::HttpResponse call(const std::string& method, const std::string& raw_path, const std::string& body = "") {
    http::HttpRequest request;
    request.method = method;
    request.raw_path = raw_path;
    request.path = raw_path;
    request.body = body;
    return router_.dispatch(request);
  }

  registry::RevocationStore store_;
  http::PathRouter router_;
};

TEST_F(RevocationApiTest, PostListDelete) {
  http::HttpResponse created = call("POST", "/v1/jwt/revocations", R"({"jti": "t-1", "expires_at": 1893456000})");
  EXPECT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(json::parse(created.body),
            json::parse(R"({"created": true, "revocation": {"jti": "t-1", "expires_at": 1893456000,
                            "expires": "2030-01-01T00:00:00Z", "revoked_at": "2027-01-15T08:00:00Z"}})"));
  http::HttpResponse replaced = call("POST", "/v1/jwt/revocations", R"({"jti": "t-1"})");
  EXPECT_EQ(replaced.status, 200) << replaced.body;
  EXPECT_EQ(json::parse(replaced.body).at("revocation").at("expires_at"), nullptr);
  ASSERT_EQ(call("POST", "/v1/jwt/revocations", R"({"jti": "a/b c"})").status, 201);

  http::HttpResponse listed = call("GET", "/v1/jwt/revocations");
  EXPECT_EQ(listed.status, 200);
  EXPECT_EQ(json::parse(listed.body), json::parse(R"({"count": 2, "limit": 3, "revocations": [
      {"jti": "a/b c", "expires_at": null, "expires": null, "revoked_at": "2027-01-15T08:00:00Z"},
      {"jti": "t-1", "expires_at": null, "expires": null, "revoked_at": "2027-01-15T08:00:00Z"}]})"));

  // The id is one percent-encoded path segment, '/' included.
  http::HttpResponse deleted = call("DELETE", "/v1/jwt/revocations/a%2Fb%20c");
  EXPECT_EQ(deleted.status, 200) << deleted.body;
  EXPECT_EQ(json::parse(deleted.body), json::parse(R"({"deleted": true, "jti": "a/b c"})"));
  http::HttpResponse missing = call("DELETE", "/v1/jwt/revocations/a%2Fb%20c");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(json::parse(missing.body),
            json::parse(R"({"error": "not_found", "message": "jti \"a/b c\" is not revoked"})"));
  EXPECT_EQ(store_.size(), 1u);
}

TEST_F(RevocationApiTest, BadInputChangesNothing) {
  ASSERT_EQ(call("POST", "/v1/jwt/revocations", R"({"jti": "keep"})").status, 201);
  for (const char* body : {R"({"jti": ""})", R"({"expires_at": 5})", R"({"jti": "x", "expires_at": "soon"})",
                           R"({"jti": "x", "extra": 1})", "not json", R"({"jti": "x", "expires_at": 1700000000})"}) {
    http::HttpResponse response = call("POST", "/v1/jwt/revocations", body);
    EXPECT_EQ(response.status, 400) << body;
    EXPECT_EQ(json::parse(response.body).at("error"), "invalid_argument") << body;
  }
  EXPECT_EQ(store_.size(), 1u);
}

TEST_F(RevocationApiTest, FullListAnswers409) {
  for (const char* jti : {"a", "b", "c"}) {
    ASSERT_EQ(call("POST", "/v1/jwt/revocations", cat(R"({"jti": ")", jti, R"("})")).status, 201);
  }
  http::HttpResponse full = call("POST", "/v1/jwt/revocations", R"({"jti": "d"})");
  EXPECT_EQ(full.status, 409);
  EXPECT_EQ(json::parse(full.body).at("error"), "revocation_list_full");
  EXPECT_EQ(call("POST", "/v1/jwt/revocations", R"({"jti": "a"})").status, 200) << "updates still work";
}

TEST_F(RevocationApiTest, WrongMethod) {
  http::HttpResponse response = call("PUT", "/v1/jwt/revocations");
  EXPECT_EQ(response.status, 405);
}

}  // namespace
}  // namespace portico::cp::admin
