// End to end: path normalization decides routing and is what the upstream receives (so
// "/public/../admin" reaches only the /admin route, never /public's), per-listener settings
// (normalization off, escaped slashes kept / refused / unescaped), and X-Forwarded-For,
// X-Forwarded-Proto and Via with 0 and 2 trusted hops — the client address the trusted hops
// select is the access log's client_ip.

#include <gtest/gtest.h>

#include <string>

#include "absl/strings/match.h"
#include "tests/integration/http_hardening_env.h"

namespace portico::testing {
namespace {

using hardening::Echo;
using hardening::Environment;
using hardening::send;

class HttpHardeningTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    env_ = new Environment();
    setup_error_ = env_->start();
  }
  static void TearDownTestSuite() {
    env_->stop();
    delete env_;
    env_ = nullptr;
  }
  void SetUp() override { ASSERT_EQ(setup_error_, "") << "suite set-up failed"; }
  void TearDown() override {
    if (HasFailure()) env_->printLogs();
  }

  static const hardening::Ports& ports() { return env_->ports(); }

  static Environment* env_;
  static std::string setup_error_;
};

Environment* HttpHardeningTest::env_ = nullptr;
std::string HttpHardeningTest::setup_error_;

TEST_F(HttpHardeningTest, DotSegmentsCannotEscapeARoute) {
  for (const char* target : {"/public/../admin/x", "/public/%2e%2e/admin/x", "/public/%2E%2e/admin/x",
                             "/public/./../admin/x", "/public/.%2E/admin/x", "/public\\..\\admin/x",
                             "/public/a/b/../../../admin/x", "/public/%2e%2e/%61dmin/x"}) {
    SCOPED_TRACE(target);
    const Echo echo = send(ports().public_, "GET", target);
    EXPECT_EQ(echo.status, 200);
    EXPECT_EQ(echo.backend, "admin") << "the route for /admin, never /public's";
    EXPECT_EQ(echo.path, "/admin/x") << "the normalized path is what goes upstream";
  }
  for (const std::string& entry : env_->received("public")) {
    EXPECT_FALSE(absl::StrContains(entry, "..")) << "public received " << entry;
    EXPECT_FALSE(absl::StrContains(entry, "%2e")) << "public received " << entry;
  }
}

TEST_F(HttpHardeningTest, NormalizationKeepsTheQueryAndMergesSlashes) {
  Echo echo = send(ports().public_, "GET", "/public/a/../b?next=/../admin&x=%2e%2e");
  EXPECT_EQ(echo.backend, "public");
  EXPECT_EQ(echo.path, "/public/b");
  EXPECT_EQ(echo.query, "next=/../admin&x=%2e%2e") << "the query is forwarded as sent";
  echo = send(ports().public_, "GET", "//admin//x");
  EXPECT_EQ(echo.backend, "admin");
  EXPECT_EQ(echo.path, "/admin/x");
  echo = send(ports().public_, "GET", "/public/%7euser/%41");
  EXPECT_EQ(echo.path, "/public/~user/A") << "unreserved characters are decoded";
  echo = send(ports().public_, "GET", "/public/caf%c3%a9");
  EXPECT_EQ(echo.path, "/public/caf%C3%A9") << "other escapes are upper-cased, not decoded";
}

TEST_F(HttpHardeningTest, MalformedPathsAre400) {
  for (const char* target : {"/public/%zz", "/public/%4", "/public/a#frag"}) {
    SCOPED_TRACE(target);
    const Echo echo = send(ports().public_, "GET", target);
    EXPECT_EQ(echo.status, 400);
    EXPECT_EQ(echo.error, "invalid_path");
  }
}

TEST_F(HttpHardeningTest, NormalizationOff) {
  Echo echo = send(ports().raw, "GET", "/public/../admin/x");
  EXPECT_EQ(echo.backend, "public") << "without normalization the raw path matches /public";
  EXPECT_EQ(echo.path, "/public/../admin/x");
  echo = send(ports().raw, "GET", "//admin/x");
  EXPECT_EQ(echo.status, 404) << "no slash merging either";
}

TEST_F(HttpHardeningTest, EscapedSlashes) {
  // keep (the default): %2F is not a separator, so this is one segment under the /public
  // prefix and goes there unchanged — never to /admin.
  Echo echo = send(ports().public_, "GET", "/public%2F..%2Fadmin/x");
  EXPECT_EQ(echo.backend, "public");
  EXPECT_EQ(echo.path, "/public%2F..%2Fadmin/x");
  echo = send(ports().public_, "GET", "/public/a%2fb");
  EXPECT_EQ(echo.backend, "public");
  EXPECT_EQ(echo.path, "/public/a%2Fb");
  // reject.
  echo = send(ports().trusted, "GET", "/public/a%2Fb");
  EXPECT_EQ(echo.status, 400);
  EXPECT_EQ(echo.error, "escaped_slash");
  echo = send(ports().trusted, "GET", "/public/a%5cb");
  EXPECT_EQ(echo.error, "escaped_slash");
  // unescape: decoded before normalization, so the dot segments it forms are removed too.
  echo = send(ports().unescape, "GET", "/public%2F..%2Fadmin/x");
  EXPECT_EQ(echo.backend, "admin");
  EXPECT_EQ(echo.path, "/admin/x");
}

TEST_F(HttpHardeningTest, ForwardedHeadersWithNoTrustedHops) {
  const Echo echo = send(ports().public_, "GET", "/public/xff-0",
                         {{"x-forwarded-for", "203.0.113.9"}, {"x-forwarded-proto", "https"}});
  ASSERT_EQ(echo.backend, "public");
  EXPECT_EQ(echo.headers.at("x-forwarded-for"), "203.0.113.9, 127.0.0.1") << "the peer is appended";
  EXPECT_EQ(echo.headers.at("x-forwarded-proto"), "http") << "an untrusted client's value is replaced";
  EXPECT_EQ(echo.headers.at("via"), "1.1 portico");
  bool response_via = false;
  for (const auto& [name, value] : echo.response_headers) {
    response_via = response_via || (name == "via" && value == "1.1 portico");
  }
  EXPECT_TRUE(response_via) << "Via on the response too";
  const auto lines = env_->accessLogLines("/public/xff-0");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].at("client_ip").as_string(), "127.0.0.1") << "0 trusted hops: the TCP peer";
}

TEST_F(HttpHardeningTest, ForwardedHeadersWithTwoTrustedHops) {
  const Echo echo =
      send(ports().trusted, "GET", "/public/xff-2",
           {{"x-forwarded-for", "203.0.113.128, 203.0.113.10"},
            {"X-Forwarded-For", "203.0.113.1"},
            {"x-forwarded-proto", "https"}});
  ASSERT_EQ(echo.backend, "public");
  EXPECT_EQ(echo.headers.at("x-forwarded-for"), "203.0.113.128, 203.0.113.10, 203.0.113.1, 127.0.0.1");
  EXPECT_EQ(echo.headers.at("x-forwarded-proto"), "https") << "kept from a trusted hop";
  EXPECT_EQ(echo.headers.count("via"), 0u) << "no Via configured on this listener";
  const auto lines = env_->accessLogLines("/public/xff-2");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].at("client_ip").as_string(), "203.0.113.10")
      << "Envoy's rule: the 2nd address from the right of the X-Forwarded-For received";

  // Fewer entries than trusted hops: the peer.
  send(ports().trusted, "GET", "/public/xff-short", {{"x-forwarded-for", "203.0.113.1"}});
  const auto short_lines = env_->accessLogLines("/public/xff-short");
  ASSERT_EQ(short_lines.size(), 1u);
  EXPECT_EQ(short_lines[0].at("client_ip").as_string(), "127.0.0.1");
}

}  // namespace
}  // namespace portico::testing
