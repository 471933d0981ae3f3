#include "common/http/bearer_auth.h"

#include <gtest/gtest.h>

#include "common/strings.h"
#include "tests/support/test_env.h"

namespace portico::http {
namespace {

constexpr char kToken[] = "s3cr3t-token_0123456789.~+/==";

HttpRequest requestTo(std::string path, const char* authorization = nullptr) {
  HttpRequest request;
  request.method = "GET";
  request.path = std::move(path);
  if (authorization != nullptr) request.headers.emplace_back("authorization", authorization);
  return request;
}

std::string challenge(const HttpResponse& response) {
  for (const auto& [name, value] : response.headers) {
    if (name == "WWW-Authenticate") return value;
  }
  return "";
}

TEST(BearerAuthTest, AcceptsTheTokenOnly) {
  BearerAuth auth(kToken, {"/healthz"});
  const std::string good = cat("Bearer ", kToken);
  EXPECT_EQ(auth.verify(&good), BearerAuth::Result::kOk);
  const std::string lower = cat("bearer   ", kToken, " ");
  EXPECT_EQ(auth.verify(&lower), BearerAuth::Result::kOk) << "scheme is case-insensitive, spaces tolerated";
  for (std::string bad : {cat("Bearer ", kToken, "x"), cat("Bearer ", std::string(kToken).substr(1)),
                          std::string("Bearer "), std::string(kToken), cat("Basic ", kToken),
                          cat("Bearerx ", kToken), std::string("")}) {
    EXPECT_EQ(auth.verify(&bad), BearerAuth::Result::kInvalid) << bad;
  }
  EXPECT_EQ(auth.verify(nullptr), BearerAuth::Result::kMissing);
}

TEST(BearerAuthTest, CheckAnswers401WithAChallenge) {
  BearerAuth auth(kToken, {"/healthz", "/readyz"});
  std::optional<HttpResponse> missing = auth.check(requestTo("/v1/services"));
  ASSERT_TRUE(missing.has_value());
  EXPECT_EQ(missing->status, 401);
  EXPECT_EQ(missing->body,
            R"({"error":"unauthorized","message":"this endpoint needs the admin token: send Authorization: Bearer <token>"})");
  EXPECT_EQ(challenge(*missing), "Bearer realm=\"portico\"");

  std::optional<HttpResponse> wrong = auth.check(requestTo("/v1/services", "Bearer nope-nope-nope-nope"));
  ASSERT_TRUE(wrong.has_value());
  EXPECT_EQ(wrong->status, 401);
  EXPECT_EQ(challenge(*wrong), "Bearer realm=\"portico\", error=\"invalid_token\"");

  const std::string good = cat("Bearer ", kToken);
  EXPECT_FALSE(auth.check(requestTo("/v1/services", good.c_str())).has_value());
  EXPECT_FALSE(auth.check(requestTo("/healthz")).has_value());
  EXPECT_FALSE(auth.check(requestTo("/readyz")).has_value());
  EXPECT_TRUE(auth.check(requestTo("/healthz/")).has_value()) << "open paths match exactly";
  EXPECT_TRUE(auth.check(requestTo("/metrics")).has_value());
}

TEST(BearerAuthTest, ValidatesConfiguredTokens) {
  EXPECT_TRUE(validateBearerToken(kToken).ok());
  EXPECT_EQ(validateBearerToken("short").message(),
            "the token has 5 characters; use at least 16 (e.g. the output of: openssl rand -hex 32)");
  EXPECT_EQ(validateBearerToken("0123456789abcdef ghij").message(),
            "the token may hold only A-Z a-z 0-9 - . _ ~ + / (and trailing =), as an HTTP bearer token must");
  EXPECT_FALSE(validateBearerToken("0123456789abcdef=ghij").ok()) << "'=' only at the end";
  EXPECT_FALSE(validateBearerToken("================").ok());
}

TEST(BearerAuthTest, ReadsTokenFiles) {
  const std::string dir = testing::makeTempDir("bearer");
  testing::writeFile(dir + "/token", cat("  ", kToken, "\n"));
  auto token = readBearerTokenFile(dir + "/token");
  ASSERT_TRUE(token.ok()) << token.status();
  EXPECT_EQ(*token, kToken);
  testing::writeFile(dir + "/weak", "abc\n");
  EXPECT_EQ(readBearerTokenFile(dir + "/weak").status().message(),
            cat(dir, "/weak: the token has 3 characters; use at least 16 (e.g. the output of: openssl rand -hex 32)"));
  EXPECT_EQ(readBearerTokenFile(dir + "/absent").status().message(), cat(dir, "/absent: cannot open the token file"));
}

}  // namespace
}  // namespace portico::http
