// Hot reload of portico.yaml under traffic: a client thread sends requests without pause (over
// keep-alive and fresh connections) while the test changes the config on SIGHUP
// (ControlPlaneProcess::reloadConfig) and by renaming a new file over it (inotify only). No
// request may fail; each change takes effect within a bounded wait. An invalid file changes
// nothing and is reported; the next valid one is taken again.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "common/http/http_client.h"
#include "common/strings.h"
#include "tests/support/control_plane_process.h"
#include "tests/support/proxy_process.h"
#include "tests/support/test_env.h"

namespace portico::testing {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;

constexpr absl::Duration kTakesEffect = absl::Seconds(10);

struct Layout {
  uint16_t port = 0;
  uint16_t second_port = 0;  // 0: no second listener
  std::string main_service = "a";
  bool extra_route = false;
};

std::string configYaml(const Layout& l) {
  std::string yaml = cat("version: 1\n", "listeners:\n",
                         "  - { name: public, address: 127.0.0.1, port: ", l.port, " }\n");
  if (l.second_port != 0)
    yaml += cat("  - { name: second, address: 127.0.0.1, port: ", l.second_port, " }\n");
  yaml += cat("routes:\n", "  - name: main\n", "    match: { path_prefix: /main }\n",
              "    service: ", l.main_service, "\n");
  if (l.extra_route) yaml += "  - { name: extra, match: { path_prefix: /extra }, service: a }\n";
  return yaml;
}

// Requests /main continuously until stopped, alternating 20 requests on one keep-alive
// connection and 5 on fresh connections. Every answer must be 200 from a known backend.
class Traffic {
 public:
  Traffic(uint16_t port, std::set<std::string> backends)
      : port_(port), backends_(std::move(backends)) {
    thread_ = std::thread([this] { run(); });
  }
  ~Traffic() { stop(); }

  void stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  int ok() const { return ok_; }
  std::vector<std::string> failures() {
    std::lock_guard<std::mutex> lock(mu_);
    return failures_;
  }

 private:
  void check(const absl::StatusOr<http::ClientResponse>& response, const char* how) {
    std::string problem;
    if (!response.ok()) {
      problem = cat(how, ": ", response.status().ToString());
    } else if (response->status != 200) {
      problem = cat(how, ": status ", response->status, " ", response->body);
    } else {
      std::string name;
      try {
        name = std::string(json::parse(response->body).at("name").as_string());
      } catch (const std::exception& e) {
        name = cat("<unparsable: ", response->body, ">");
      }
      if (!backends_.count(name)) problem = cat(how, ": answered by ", name);
    }
    if (problem.empty()) {
      ++ok_;
    } else {
      std::lock_guard<std::mutex> lock(mu_);
      failures_.push_back(cat(absl::FormatTime(absl::Now()), " ", problem));
    }
  }

  void run() {
    http::ClientRequest request;
    request.target = "/main/traffic";
    while (!stop_) {
      auto connection = http::HttpConnection::connect("127.0.0.1", port_);
      if (!connection.ok()) {
        check(connection.status(), "keep-alive connect");
      } else {
        for (int i = 0; i < 20 && !stop_; ++i) {
          auto response = (*connection)->send(request);
          check(response, "keep-alive");
          if (!response.ok() || !response->keep_alive) break;  // a graceful close is allowed
        }
      }
      for (int i = 0; i < 5 && !stop_; ++i)
        check(http::fetch("127.0.0.1", port_, request), "fresh connection");
    }
  }

  const uint16_t port_;
  const std::set<std::string> backends_;
  std::atomic<bool> stop_{false};
  std::atomic<int> ok_{0};
  std::mutex mu_;
  std::vector<std::string> failures_;
  std::thread thread_;
};

class ConfigReloadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    layout_.port = pickFreePort();
    ControlPlaneProcess::Options cp_options;
    cp_options.config_yaml = configYaml(layout_);
    auto cp = ControlPlaneProcess::start(cp_options);
    ASSERT_TRUE(cp.ok()) << cp.status();
    cp_ = std::move(*cp);
    for (const auto& [name, service] : {std::pair{"a-1", "a"}, std::pair{"b-1", "b"}}) {
      auto backend = EchoBackend::start({name, cat("127.0.0.1:", cp_->adminPort()), service, 10});
      ASSERT_TRUE(backend.ok()) << backend.status();
      backends_.push_back(std::move(*backend));
    }
    ProxyProcess::Options proxy_options;
    proxy_options.xds_address = cp_->xdsAddress();
    auto proxy = ProxyProcess::start(proxy_options);
    ASSERT_TRUE(proxy.ok()) << proxy.status();
    proxy_ = std::move(*proxy);
    ASSERT_TRUE(
        waitUntil([&] { return steadily(layout_.port, "/main/x", "200 a-1", 3); }, kTakesEffect))
        << answer(layout_.port, "/main/x");
    auto status = configStatus();
    ASSERT_TRUE(status.is_object());
    config_path_ = std::string(status.at("source").as_string());
  }

  void TearDown() override {
    if (HasFailure()) {
      if (proxy_)
        std::cerr << "--- portico-proxy log:\n" << proxy_->process().logTail(8000) << "\n";
      if (cp_) std::cerr << "--- portico-cp log:\n" << cp_->process().logTail(8000) << "\n";
    }
  }

  static std::string answer(uint16_t port, const std::string& path) {
    http::ClientRequest request;
    request.target = path;
    auto response = http::fetch("127.0.0.1", port, request, absl::Seconds(5));
    if (!response.ok()) return "000";
    if (response->status != 200) return cat(response->status);
    return cat("200 ", json::parse(response->body).at("name").as_string().c_str());
  }

  static bool steadily(uint16_t port, const std::string& path, const std::string& expected,
                       int n = 5) {
    for (int i = 0; i < n; ++i) {
      if (answer(port, path) != expected) return false;
    }
    return true;
  }

  json::value configStatus() {
    auto response = cp_->get("/v1/config/status");
    if (!response.ok() || response->status != 200) return nullptr;
    return json::parse(response->body);
  }

  std::string configState() {
    json::value status = configStatus();
    return status.is_object() ? std::string(status.at("status").as_string()) : "";
  }

  double rejectedReloads() {
    auto response = cp_->get("/metrics");
    if (!response.ok()) return -1;
    std::istringstream lines(response->body);
    std::string line;
    const std::string prefix = "portico_cp_config_reloads_total{result=\"rejected\"} ";
    while (std::getline(lines, line)) {
      double value = 0;
      if (line.rfind(prefix, 0) == 0 && absl::SimpleAtod(line.substr(prefix.size()), &value))
        return value;
    }
    return -1;
  }

  // A new version of the file without SIGHUP: written aside, renamed over it (inotify sees it).
  void renameOver(const std::string& yaml) {
    const std::string temp = config_path_ + ".new";
    writeFile(temp, yaml);
    ASSERT_EQ(std::rename(temp.c_str(), config_path_.c_str()), 0);
  }

  Layout layout_;
  std::string config_path_;
  std::unique_ptr<ControlPlaneProcess> cp_;
  std::vector<std::unique_ptr<EchoBackend>> backends_;
  std::unique_ptr<ProxyProcess> proxy_;
};

TEST_F(ConfigReloadTest, ChangesUnderTrafficWithoutAFailedRequest) {
  Traffic traffic(layout_.port, {"a-1", "b-1"});
  // Requests keep being answered around each change.
  auto flowing = [&traffic] {
    const int before = traffic.ok();
    return waitUntil([&] { return traffic.ok() >= before + 20; }, absl::Seconds(5));
  };
  ASSERT_TRUE(flowing());

  // 1. SIGHUP: the route's target changes a → b.
  layout_.main_service = "b";
  cp_->reloadConfig(configYaml(layout_));
  EXPECT_TRUE(waitUntil([&] { return steadily(layout_.port, "/main/x", "200 b-1"); }, kTakesEffect))
      << answer(layout_.port, "/main/x");
  EXPECT_TRUE(flowing());

  // 2. inotify (rename, no signal): a route is added.
  layout_.extra_route = true;
  renameOver(configYaml(layout_));
  EXPECT_TRUE(
      waitUntil([&] { return steadily(layout_.port, "/extra/x", "200 a-1"); }, kTakesEffect))
      << answer(layout_.port, "/extra/x");
  EXPECT_TRUE(flowing());

  // 3. SIGHUP: a listener is added; the first keeps serving.
  layout_.second_port = pickFreePort();
  cp_->reloadConfig(configYaml(layout_));
  EXPECT_TRUE(
      waitUntil([&] { return steadily(layout_.second_port, "/main/x", "200 b-1"); }, kTakesEffect))
      << answer(layout_.second_port, "/main/x");
  EXPECT_TRUE(flowing());

  // 4. inotify: the target changes back b → a.
  layout_.main_service = "a";
  renameOver(configYaml(layout_));
  EXPECT_TRUE(waitUntil([&] { return steadily(layout_.port, "/main/x", "200 a-1"); }, kTakesEffect))
      << answer(layout_.port, "/main/x");
  EXPECT_TRUE(steadily(layout_.second_port, "/main/x", "200 a-1"));
  EXPECT_EQ(configState(), "ok");

  // Traffic kept flowing the whole time, after the last change too.
  EXPECT_TRUE(flowing());
  traffic.stop();
  EXPECT_THAT(traffic.failures(), ::testing::IsEmpty())
      << "of " << traffic.ok() << " good requests";
  EXPECT_GT(traffic.ok(), 100);
}

TEST_F(ConfigReloadTest, InvalidFileKeepsTheLastGoodConfigAndIsReported) {
  layout_.extra_route = true;
  cp_->reloadConfig(configYaml(layout_));
  ASSERT_TRUE(
      waitUntil([&] { return steadily(layout_.port, "/extra/x", "200 a-1"); }, kTakesEffect));
  const double rejected_before = rejectedReloads();
  ASSERT_GE(rejected_before, 0);
  Traffic traffic(layout_.port, {"a-1"});
  ASSERT_TRUE(waitUntil([&] { return traffic.ok() > 20; }, absl::Seconds(5)));

  // Line 6 ("    match: ...") holds the error; the route also targets b, which must not apply.
  std::string bad = configYaml({layout_.port, 0, "b", true});
  const std::string good_match = "    match: { path_prefix: /main }\n";
  ASSERT_NE(bad.find(good_match), std::string::npos);
  bad.replace(bad.find(good_match), good_match.size(), "    match: { path_prefix: main }\n");
  ASSERT_EQ(std::count(bad.begin(), bad.begin() + bad.find("path_prefix: main"), '\n'), 5);
  cp_->reloadConfig(bad);

  std::string message;
  ASSERT_TRUE(waitUntil(
      [&] {
        json::value status = configStatus();
        if (!status.is_object() || status.at("status").as_string() != "error") return false;
        message = std::string(status.at("last_error").at("message").as_string());
        return true;
      },
      kTakesEffect))
      << json::serialize(configStatus());
  EXPECT_THAT(message, HasSubstr(cat(config_path_, ":6: routes[0].match.path_prefix")));
  EXPECT_THAT(message, HasSubstr("must start with \"/\""));
  EXPECT_TRUE(waitUntil([&] { return rejectedReloads() >= rejected_before + 1; }, absl::Seconds(5)))
      << rejectedReloads() << " rejected reloads, before: " << rejected_before;
  // The last good config keeps serving, unchanged, and no request failed.
  absl::SleepFor(absl::Milliseconds(500));
  EXPECT_TRUE(steadily(layout_.port, "/main/x", "200 a-1"));
  EXPECT_TRUE(steadily(layout_.port, "/extra/x", "200 a-1"));
  traffic.stop();
  EXPECT_THAT(traffic.failures(), ::testing::IsEmpty())
      << "of " << traffic.ok() << " good requests";

  // A valid file again (by rename, without a signal): taken, status back to ok.
  layout_.main_service = "b";
  renameOver(configYaml(layout_));
  EXPECT_TRUE(waitUntil([&] { return configState() == "ok"; }, kTakesEffect))
      << json::serialize(configStatus());
  EXPECT_TRUE(waitUntil([&] { return steadily(layout_.port, "/main/x", "200 b-1"); }, kTakesEffect))
      << answer(layout_.port, "/main/x");
  json::value status = configStatus();
  EXPECT_FALSE(status.as_object().contains("last_error")) << json::serialize(status);
}

}  // namespace
}  // namespace portico::testing
