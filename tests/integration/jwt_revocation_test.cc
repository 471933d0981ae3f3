// The JWT revocation list end to end: porticoctl (with the admin token) revokes token ids on a
// real portico-cp; the list appears, sorted, in the jwt_policy filter of the group's listener in
// the control plane's /v1/config_dump and in a real portico-proxy's /config_dump; unrevoke
// removes it from both; a config reload (SIGHUP) keeps it.

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "common/strings.h"
#include "tests/support/control_plane_process.h"
#include "tests/support/proxy_process.h"
#include "tests/support/test_env.h"
#include "tests/support/tool_run.h"

namespace portico::testing {
namespace {

namespace json = boost::json;

constexpr char kToken[] = "revocation-test-token-0123456789";
constexpr char kPolicyFilter[] = "portico.filters.http.jwt_policy";

std::string configYaml(uint16_t port, bool extra_route) {
  return cat("version: 1\n", "listeners:\n", "  - { name: public, address: 127.0.0.1, port: ", port, " }\n",
             "routes:\n", "  - { name: api, match: { path_prefix: /api }, service: api }\n",
             extra_route ? "  - { name: extra, match: { path_prefix: /extra }, service: api }\n" : "",
             "plugins:\n", "  - name: jwt\n", "    config:\n", "      providers:\n",
             "        - { name: internal, issuer: internal, secret: { base64: \"c2VjcmV0LXNlY3JldC1zZWNyZXQ=\" } }\n");
}

// "jti@expires_at" for each revoked_tokens entry of the listener's jwt_policy filter, in
// order; {"<no jwt_policy>"} when the filter is absent. `dump` is a config dump whose
// "listeners" entries hold the Listener under "resource" (both the cp's and the proxy's).
std::vector<std::string> revokedIn(const std::string& dump, const std::string& listener) {
  json::error_code ec;
  const json::value parsed = json::parse(dump, ec);
  if (ec || !parsed.is_object()) return {"<not JSON>"};
  for (const json::value& entry : parsed.at("listeners").as_array()) {
    if (std::string_view(entry.at("name").as_string()) != listener) continue;
    const json::value& hcm = entry.at("resource").at("filter_chains").at(0).at("filters").at(0).at("typed_config");
    for (const json::value& filter : hcm.at("http_filters").as_array()) {
      if (std::string_view(filter.at("name").as_string()) != kPolicyFilter) continue;
      std::vector<std::string> out;
      const json::object& config = filter.at("typed_config").as_object();
      if (const json::value* tokens = config.if_contains("revoked_tokens")) {
        for (const json::value& token : tokens->as_array()) {
          const json::value* expires = token.as_object().if_contains("expires_at");
          out.push_back(cat(std::string_view(token.at("jti").as_string()), "@",
                            expires == nullptr ? "0" : std::string(expires->as_string())));
        }
      }
      return out;
    }
  }
  return {"<no jwt_policy>"};
}

class JwtRevocationTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    port_ = pickFreePort();
    ControlPlaneProcess::Options options;
    options.config_yaml = configYaml(port_, false);
    options.admin_token = kToken;
    auto cp = ControlPlaneProcess::start(options);
    ASSERT_TRUE(cp.ok()) << cp.status();
    cp_ = cp->release();
    ProxyProcess::Options proxy_options;
    proxy_options.xds_address = cp_->xdsAddress();
    proxy_options.node_id = "revocation-proxy";
    proxy_options.workers = 1;
    auto proxy = ProxyProcess::start(proxy_options);
    ASSERT_TRUE(proxy.ok()) << proxy.status();
    proxy_ = proxy->release();
  }
  static void TearDownTestSuite() {
    delete proxy_;
    proxy_ = nullptr;
    delete cp_;
    cp_ = nullptr;
  }
  void SetUp() override {
    ASSERT_NE(cp_, nullptr) << "portico-cp did not start";
    ASSERT_NE(proxy_, nullptr) << "portico-proxy did not start";
  }
  void TearDown() override {
    if (HasFailure()) {
      std::cerr << "--- portico-proxy log:\n" << proxy_->process().logTail(4000) << "\n";
      std::cerr << "--- portico-cp log:\n" << cp_->process().logTail(6000) << "\n";
    }
  }

  static ToolRun ctl(const std::vector<std::string>& args) {
    std::vector<std::string> all = {cat("--cp=127.0.0.1:", cp_->adminPort())};
    all.insert(all.end(), args.begin(), args.end());
    return runTool(binaryPath("porticoctl"), all, {{cat("PORTICO_TOKEN=", kToken)}, {"PORTICO_CP"}});
  }

  static std::vector<std::string> inControlPlane() {
    auto response = cp_->get("/v1/config_dump?group=default");
    return response.ok() && response->status == 200 ? revokedIn(response->body, "public")
                                                    : std::vector<std::string>{"<no dump>"};
  }
  static std::vector<std::string> inProxy() {
    auto response = proxy_->admin("/config_dump");
    return response.ok() && response->status == 200 ? revokedIn(response->body, "public")
                                                    : std::vector<std::string>{"<no dump>"};
  }
  // Waits until both the control plane and the proxy hold `want`.
  static bool everywhere(const std::vector<std::string>& want) {
    return waitUntil([&] { return inControlPlane() == want && inProxy() == want; }, absl::Seconds(20));
  }

  static uint16_t port_;
  static ControlPlaneProcess* cp_;
  static ProxyProcess* proxy_;
};

uint16_t JwtRevocationTest::port_ = 0;
ControlPlaneProcess* JwtRevocationTest::cp_ = nullptr;
ProxyProcess* JwtRevocationTest::proxy_ = nullptr;

TEST_F(JwtRevocationTest, RevokeReachesTheProxyAndUnrevokeRemovesIt) {
  ASSERT_TRUE(everywhere({})) << "no revocations at the start";

  const ToolRun revoke = ctl({"jwt", "revoke", "tok-123", "--expires-at=2030-01-01T00:00:00Z"});
  EXPECT_EQ(revoke.exit_code, 0) << revoke.err;
  EXPECT_EQ(revoke.out, "revoked tok-123 (expires: 2030-01-01T00:00:00Z)\n");
  const ToolRun slash = ctl({"jwt", "revoke", "a/b"});
  EXPECT_EQ(slash.exit_code, 0) << slash.err;
  EXPECT_EQ(slash.out, "revoked a/b (expires: never)\n");

  EXPECT_TRUE(everywhere({"a/b@0", "tok-123@1893456000"}))
      << "cp: " << absl::StrJoin(inControlPlane(), ",") << " proxy: " << absl::StrJoin(inProxy(), ",");

  EXPECT_NE(cp_->get("/metrics")->body.find("\nportico_cp_jwt_revocations 2\n"), std::string::npos);

  const ToolRun listed = ctl({"jwt", "revocations"});
  EXPECT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_NE(listed.out.find("JTI"), std::string::npos) << listed.out;
  EXPECT_NE(listed.out.find("tok-123  2030-01-01T00:00:00Z"), std::string::npos) << listed.out;
  EXPECT_NE(listed.out.find("a/b"), std::string::npos) << listed.out;
  EXPECT_NE(listed.out.find("2 of at most 10000 entries"), std::string::npos) << listed.out;

  const ToolRun unrevoke = ctl({"jwt", "unrevoke", "a/b"});
  EXPECT_EQ(unrevoke.exit_code, 0) << unrevoke.err;
  EXPECT_EQ(unrevoke.out, "unrevoked a/b\n");
  EXPECT_TRUE(everywhere({"tok-123@1893456000"}));

  const ToolRun again = ctl({"jwt", "unrevoke", "a/b"});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("jti \"a/b\" is not revoked [not_found] (HTTP 404"), std::string::npos) << again.err;

  EXPECT_EQ(ctl({"jwt", "unrevoke", "tok-123"}).exit_code, 0);
  EXPECT_TRUE(everywhere({}));
}

TEST_F(JwtRevocationTest, BadInputIsRefusedWithTheField) {
  const ToolRun bad_time = ctl({"jwt", "revoke", "x", "--expires-at=tomorrow"});
  EXPECT_EQ(bad_time.exit_code, 1);
  EXPECT_NE(bad_time.err.find("expires_at: \"tomorrow\" must be unix seconds (an integer) or an RFC 3339 time"),
            std::string::npos)
      << bad_time.err;
  const ToolRun past = ctl({"jwt", "revoke", "x", "--expires-at=1000000000"});
  EXPECT_EQ(past.exit_code, 1);
  EXPECT_NE(past.err.find("expires_at: 2001-09-09T01:46:40Z has passed"), std::string::npos) << past.err;
  const ToolRun long_jti = ctl({"jwt", "revoke", std::string(300, 'j')});
  EXPECT_EQ(long_jti.exit_code, 1);
  EXPECT_NE(long_jti.err.find("jti: 300 bytes is too long (at most 256)"), std::string::npos) << long_jti.err;
  const ToolRun usage = ctl({"jwt", "revocations", "--expires-at=5"});
  EXPECT_EQ(usage.exit_code, 1);
  EXPECT_NE(usage.err.find("--expires-at goes with 'jwt revoke'"), std::string::npos) << usage.err;
  EXPECT_EQ(ctl({"jwt", "forget", "x"}).exit_code, 1);
  auto list = cp_->get("/v1/jwt/revocations");
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(json::parse(list->body).at("count"), 0) << list->body;
}

TEST_F(JwtRevocationTest, ConfigReloadKeepsTheList) {
  ASSERT_EQ(ctl({"jwt", "revoke", "keep-me"}).exit_code, 0);
  ASSERT_TRUE(everywhere({"keep-me@0"}));
  cp_->reloadConfig(configYaml(port_, true));
  ASSERT_TRUE(waitUntil(
      [] {
        auto dump = cp_->get("/v1/config_dump?group=default");
        return dump.ok() && dump->body.find("\"extra\"") != std::string::npos;
      },
      absl::Seconds(20)))
      << "the reload did not land";
  EXPECT_EQ(inControlPlane(), std::vector<std::string>{"keep-me@0"});
  EXPECT_TRUE(everywhere({"keep-me@0"}));
  EXPECT_EQ(ctl({"jwt", "unrevoke", "keep-me"}).exit_code, 0);
  EXPECT_TRUE(everywhere({}));
}

}  // namespace
}  // namespace portico::testing
