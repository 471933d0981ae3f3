// porticoctl end to end: the real build/bin/porticoctl binary against a real portico-cp (and a
// real portico-proxy for `proxies`) on loopback. Checks exit codes (0 ok, 1 error, 2
// unreachable), what lands on stdout and stderr, and that commands really change the registry.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_replace.h"
#include "absl/time/time.h"
#include "common/strings.h"
#include "tests/support/control_plane_process.h"
#include "tests/support/proxy_process.h"
#include "tests/support/test_env.h"
#include "tests/support/tool_run.h"

namespace portico {
namespace {

namespace json = boost::json;
using testing::ControlPlaneProcess;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

constexpr absl::Duration kCtlTimeout = absl::Seconds(30);

// A loopback listener (so a connected proxy binds only 127.0.0.1) and one configured route.
constexpr char kConfigTemplate[] = R"(version: 1
listeners:
  - name: public
    address: 127.0.0.1
    port: $LISTENER_PORT
routes:
  - name: api
    match: { path_prefix: /api/ }
    service: backend
)";

using CtlResult = testing::ToolRun;

// Runs build/bin/porticoctl with `args`, stdout and stderr captured separately, $PORTICO_CP
// and $PORTICO_TOKEN removed from the environment. Killed after kCtlTimeout.
CtlResult runCtl(const std::vector<std::string>& args) {
  return testing::runTool(testing::binaryPath("porticoctl"), args, {{}, {"PORTICO_CP", "PORTICO_TOKEN"}},
                          kCtlTimeout);
}

// The whitespace-separated cells of each line of a table.
std::vector<std::vector<std::string>> tableRows(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream cells(line);
    std::vector<std::string> row;
    std::string cell;
    while (cells >> cell) {
      row.push_back(cell);
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

// True when some row ends with `tail` (the rightmost cells, in order).
bool hasRowEndingWith(const std::string& text, const std::vector<std::string>& tail) {
  for (const auto& row : tableRows(text)) {
    if (row.size() >= tail.size() &&
        std::equal(tail.begin(), tail.end(), row.end() - static_cast<long>(tail.size()))) {
      return true;
    }
  }
  return false;
}

// True when some row starts with `head`.
bool hasRowStartingWith(const std::string& text, const std::vector<std::string>& head) {
  for (const auto& row : tableRows(text)) {
    if (row.size() >= head.size() && std::equal(head.begin(), head.end(), row.begin())) {
      return true;
    }
  }
  return false;
}

class PorticoctlTest : public ::testing::Test {
 protected:
  // One control plane for the suite; tests clean up what they register.
  static void SetUpTestSuite() {
    ControlPlaneProcess::Options options;
    options.config_yaml = absl::StrReplaceAll(
        kConfigTemplate, {{"$LISTENER_PORT", std::to_string(testing::pickFreePort())}});
    auto started = ControlPlaneProcess::start(options);
    ASSERT_TRUE(started.ok()) << started.status();
    cp_ = std::move(*started).release();
  }
  static void TearDownTestSuite() {
    if (cp_ != nullptr) {
      cp_->stop();
      delete cp_;
      cp_ = nullptr;
    }
  }
  void SetUp() override { ASSERT_NE(cp_, nullptr) << "portico-cp did not start"; }
  void TearDown() override {
    cp_->deregisterInstance("echo", "e1");  // whatever the test left behind
    if (HasFailure()) {
      std::cerr << "portico-cp log tail:\n" << cp_->process().logTail() << "\n";
    }
  }

  // porticoctl pointed at the control plane's admin port.
  static CtlResult ctl(std::vector<std::string> args) {
    args.insert(args.begin(), cat("--cp=127.0.0.1:", cp_->adminPort()));
    return runCtl(args);
  }

  static CtlResult registerE1() {
    return ctl({"register", "echo", "e1", "--address=127.0.0.1", "--port=9001", "--ttl=60"});
  }

  static ControlPlaneProcess* cp_;
};

ControlPlaneProcess* PorticoctlTest::cp_ = nullptr;

TEST_F(PorticoctlTest, RegisterCreatesTheInstance) {
  CtlResult result = registerE1();
  ASSERT_EQ(result.exit_code, 0) << result;
  EXPECT_THAT(result.out, StartsWith("registered echo/e1 at 127.0.0.1:9001 (weight 1, ttl 60s"));
  EXPECT_THAT(result.err, IsEmpty());

  auto response = cp_->get("/v1/services/echo");
  ASSERT_TRUE(response.ok()) << response.status();
  ASSERT_EQ(response->status, 200) << response->body;
  json::value body = json::parse(response->body);
  ASSERT_EQ(body.at("instances").as_array().size(), 1u) << response->body;
  const json::value& instance = body.at("instances").at(0);
  EXPECT_EQ(instance.at("id").as_string(), "e1");
  EXPECT_EQ(instance.at("address").as_string(), "127.0.0.1");
  EXPECT_EQ(instance.at("port").to_number<int64_t>(), 9001);
  EXPECT_EQ(instance.at("ttl_seconds").to_number<int64_t>(), 60);

  // Registering again replaces.
  result = registerE1();
  EXPECT_EQ(result.exit_code, 0) << result;
  EXPECT_THAT(result.out, StartsWith("updated echo/e1 at 127.0.0.1:9001"));
}

TEST_F(PorticoctlTest, ServicesListsAndShowsInstances) {
  ASSERT_EQ(registerE1().exit_code, 0);

  CtlResult all = ctl({"services"});
  ASSERT_EQ(all.exit_code, 0) << all;
  EXPECT_TRUE(hasRowStartingWith(all.out, {"SERVICE", "INSTANCES"})) << all;
  EXPECT_TRUE(hasRowStartingWith(all.out, {"echo", "1"})) << all;

  CtlResult one = ctl({"services", "echo"});
  ASSERT_EQ(one.exit_code, 0) << one;
  EXPECT_TRUE(hasRowStartingWith(one.out, {"ID", "ADDRESS", "WEIGHT"})) << one;
  EXPECT_TRUE(hasRowStartingWith(one.out, {"e1", "127.0.0.1:9001", "1"})) << one;

  CtlResult missing = ctl({"services", "nobody"});
  EXPECT_EQ(missing.exit_code, 1) << missing;
  EXPECT_THAT(missing.err, HasSubstr("service \"nobody\" has no registered instances")) << missing;
}

TEST_F(PorticoctlTest, JsonOutputIsTheApiJson) {
  ASSERT_EQ(registerE1().exit_code, 0);
  CtlResult result = ctl({"--output=json", "services"});
  ASSERT_EQ(result.exit_code, 0) << result;
  json::error_code ec;
  json::value body = json::parse(result.out, ec);
  ASSERT_FALSE(ec) << "not JSON: " << result.out;
  ASSERT_TRUE(body.is_object()) << result.out;
  bool found = false;
  for (const json::value& service : body.at("services").as_array()) {
    if (service.at("name").as_string() == "echo") {
      found = true;
      EXPECT_EQ(service.at("instances").to_number<int64_t>(), 1);
    }
  }
  EXPECT_TRUE(found) << result.out;
}

TEST_F(PorticoctlTest, RoutesShowConfiguredAndDefaultRoutes) {
  ASSERT_EQ(registerE1().exit_code, 0);
  CtlResult result;
  // The default route appears once the (debounced) translation of the registration is done.
  const bool shown = testing::waitUntil(
      [&] {
        result = ctl({"routes"});
        return result.exit_code == 0 && hasRowEndingWith(result.out, {"echo", "/echo/", "echo"});
      },
      absl::Seconds(10), absl::Milliseconds(100));
  EXPECT_TRUE(shown) << result;
  EXPECT_TRUE(hasRowStartingWith(result.out, {"LISTENER", "ROUTE", "CONFIG", "DOMAINS"})) << result;
  EXPECT_TRUE(hasRowEndingWith(result.out, {"api", "/api/", "backend"})) << result;
  EXPECT_TRUE(hasRowStartingWith(result.out, {"public", "public"})) << result;
}

TEST_F(PorticoctlTest, RegisterWithBadPortPrintsTheApiMessage) {
  CtlResult result = ctl({"register", "echo", "e1", "--address=127.0.0.1", "--port=0", "--ttl=60"});
  EXPECT_EQ(result.exit_code, 1) << result;
  EXPECT_THAT(result.out, IsEmpty());

  // The message is the API's own, for the same registration.
  auto api = cp_->request("PUT", "/v1/services/echo/instances/e1",
                          R"({"address":"127.0.0.1","port":0,"ttl_seconds":60})");
  ASSERT_TRUE(api.ok()) << api.status();
  ASSERT_EQ(api->status, 400) << api->body;
  const std::string message(json::parse(api->body).at("message").as_string());
  EXPECT_EQ(message, "port: 0 is out of range (1..65535)");
  EXPECT_THAT(result.err, HasSubstr(message)) << result;

  auto listed = cp_->get("/v1/services/echo");
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->status, 404) << listed->body;
}

TEST_F(PorticoctlTest, DeregisterTwiceFailsTheSecondTime) {
  ASSERT_EQ(registerE1().exit_code, 0);
  CtlResult first = ctl({"deregister", "echo", "e1"});
  EXPECT_EQ(first.exit_code, 0) << first;
  EXPECT_EQ(first.out, "deregistered echo/e1\n");
  auto listed = cp_->get("/v1/services/echo");
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->status, 404) << listed->body;

  CtlResult second = ctl({"deregister", "echo", "e1"});
  EXPECT_EQ(second.exit_code, 1) << second;
  EXPECT_THAT(second.out, IsEmpty());
  EXPECT_THAT(second.err, HasSubstr("instance \"e1\" of service \"echo\" is not registered"))
      << second;
}

TEST_F(PorticoctlTest, UnreachableControlPlaneExits2) {
  const uint16_t port = testing::pickFreePort();  // nothing listens there
  ASSERT_NE(port, 0);
  CtlResult result = runCtl({cat("--cp=127.0.0.1:", port), "--timeout=3", "services"});
  EXPECT_EQ(result.exit_code, 2) << result;
  EXPECT_THAT(result.out, IsEmpty());
  EXPECT_THAT(result.err, HasSubstr(cat("cannot reach the control plane at 127.0.0.1:", port)))
      << result;
}

TEST_F(PorticoctlTest, HelpPrintsUsage) {
  CtlResult help = runCtl({"--help"});
  EXPECT_EQ(help.exit_code, 0) << help;
  EXPECT_THAT(help.out, HasSubstr("Usage: porticoctl [GLOBAL FLAGS] COMMAND [ARGS] [FLAGS]"));
  for (const char* command :
       {"register", "deregister", "heartbeat", "services", "routes", "proxies"}) {
    EXPECT_TRUE(hasRowStartingWith(help.out, {command})) << command << "\n" << help;
  }

  CtlResult register_help = runCtl({"register", "--help"});
  EXPECT_EQ(register_help.exit_code, 0) << register_help;
  EXPECT_THAT(register_help.out,
              StartsWith("Usage: porticoctl register SERVICE ID --address=A --port=P"));
  EXPECT_THAT(register_help.out, HasSubstr("--ttl=SECONDS"));
}

TEST_F(PorticoctlTest, ProxiesShowsAConnectedProxyInSync) {
  testing::ProxyProcess::Options options;
  options.xds_address = cp_->xdsAddress();
  options.node_id = "porticoctl-test-proxy";
  auto proxy = testing::ProxyProcess::start(options);
  ASSERT_TRUE(proxy.ok()) << proxy.status();

  CtlResult result;
  const bool synced = testing::waitUntil(
      [&] {
        result = ctl({"proxies"});
        if (result.exit_code != 0) {
          return false;
        }
        for (const auto& row : tableRows(result.out)) {
          if (!row.empty() && row.front() == "porticoctl-test-proxy" && row.back() == "SYNCED") {
            return true;
          }
        }
        return false;
      },
      absl::Seconds(20), absl::Milliseconds(200));
  EXPECT_TRUE(synced) << result << "\nportico-proxy log:\n" << (*proxy)->process().logTail();
  EXPECT_TRUE(hasRowStartingWith(result.out, {"NODE", "GROUP", "PEER"})) << result;
  (*proxy)->stop();
}

}  // namespace
}  // namespace portico
