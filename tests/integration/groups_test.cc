// Gateway groups (BFF) end to end: one portico-cp, a proxy in group "web" (every route, listener
// web) and one in group "mobile" (route users only, listener mobile). Each proxy opens only its
// group's listener and serves only its group's routes; GET /v1/proxies shows both, in sync.

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <iostream>
#include <map>
#include <set>
#include <string>

#include "common/http/http_client.h"
#include "common/strings.h"
#include "tests/support/control_plane_process.h"
#include "tests/support/proxy_process.h"
#include "tests/support/test_env.h"

namespace portico::testing {
namespace {

namespace json = boost::json;

std::string configYaml(uint16_t web_port, uint16_t mobile_port) {
  return cat("version: 1\n", "listeners:\n",
             "  - { name: web, address: 127.0.0.1, port: ", web_port, " }\n",
             "  - { name: mobile, address: 127.0.0.1, port: ", mobile_port, " }\n", "groups:\n",
             "  - { name: web, listeners: [web] }\n",
             "  - { name: mobile, listeners: [mobile], routes: [users] }\n", "routes:\n",
             "  - { name: users, match: { path_prefix: /users }, service: users }\n",
             "  - { name: orders, match: { path_prefix: /orders }, service: orders }\n");
}

class GroupsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    web_port_ = pickFreePort();
    mobile_port_ = pickFreePort();
    ControlPlaneProcess::Options cp_options;
    cp_options.config_yaml = configYaml(web_port_, mobile_port_);
    auto cp = ControlPlaneProcess::start(cp_options);
    ASSERT_TRUE(cp.ok()) << cp.status();
    cp_ = std::move(*cp);
    for (const auto& [name, service] :
         {std::pair{"users-1", "users"}, std::pair{"orders-1", "orders"}}) {
      auto backend = EchoBackend::start({name, cat("127.0.0.1:", cp_->adminPort()), service, 10});
      ASSERT_TRUE(backend.ok()) << backend.status();
      backends_.push_back(std::move(*backend));
    }
    ASSERT_TRUE(
        waitUntil([&] { return registered("users") && registered("orders"); }, absl::Seconds(10)));
  }

  void TearDown() override {
    if (HasFailure()) {
      for (auto* proxy : {web_.get(), mobile_.get()}) {
        if (proxy != nullptr)
          std::cerr << "--- portico-proxy log:\n" << proxy->process().logTail(6000) << "\n";
      }
      if (cp_) std::cerr << "--- portico-cp log:\n" << cp_->process().logTail(6000) << "\n";
    }
  }

  bool registered(const std::string& service) {
    auto response = cp_->get("/v1/services/" + service);
    return response.ok() && response->status == 200 &&
           !json::parse(response->body).at("instances").as_array().empty();
  }

  std::unique_ptr<ProxyProcess> startProxy(const std::string& node, const std::string& group) {
    ProxyProcess::Options options;
    options.xds_address = cp_->xdsAddress();
    options.node_id = node;
    options.group = group;
    auto proxy = ProxyProcess::start(options);
    EXPECT_TRUE(proxy.ok()) << proxy.status();
    return proxy.ok() ? std::move(*proxy) : nullptr;
  }

  // "status name" of GET `path` on `port` ("000" on a connection error).
  static std::string get(uint16_t port, const std::string& path) {
    http::ClientRequest request;
    request.target = path;
    auto response = http::fetch("127.0.0.1", port, request, absl::Seconds(5));
    if (!response.ok()) return "000";
    if (response->status != 200) return cat(response->status);
    return cat("200 ", json::parse(response->body).at("name").as_string().c_str());
  }

  // True when `n` requests in a row give `expected`.
  static bool steadily(uint16_t port, const std::string& path, const std::string& expected,
                       int n = 10) {
    for (int i = 0; i < n; ++i) {
      if (get(port, path) != expected) return false;
    }
    return true;
  }

  static bool refused(uint16_t port) {
    http::ClientRequest request;
    return !http::fetch("127.0.0.1", port, request, absl::Seconds(2)).ok();
  }

  uint16_t web_port_ = 0;
  uint16_t mobile_port_ = 0;
  std::unique_ptr<ControlPlaneProcess> cp_;
  std::vector<std::unique_ptr<EchoBackend>> backends_;
  std::unique_ptr<ProxyProcess> web_;
  std::unique_ptr<ProxyProcess> mobile_;
};

TEST_F(GroupsTest, EachProxyServesItsGroupsListenersAndRoutes) {
  web_ = startProxy("web-proxy", "web");
  ASSERT_NE(web_, nullptr);
  ASSERT_TRUE(waitUntil([&] { return steadily(web_port_, "/users/1", "200 users-1", 3); },
                        absl::Seconds(10)))
      << get(web_port_, "/users/1");
  EXPECT_TRUE(steadily(web_port_, "/users/1", "200 users-1"));
  EXPECT_TRUE(steadily(web_port_, "/orders/1", "200 orders-1")) << get(web_port_, "/orders/1");
  // Nobody else is running yet: the mobile port is closed, so the web proxy did not open it.
  EXPECT_TRUE(refused(mobile_port_));
  EXPECT_EQ(listeningPorts(web_->process().pid()).count(mobile_port_), 0u);
  EXPECT_EQ(listeningPorts(web_->process().pid()).count(web_port_), 1u);

  mobile_ = startProxy("mobile-proxy", "mobile");
  ASSERT_NE(mobile_, nullptr);
  ASSERT_TRUE(waitUntil([&] { return steadily(mobile_port_, "/users/1", "200 users-1", 3); },
                        absl::Seconds(10)))
      << get(mobile_port_, "/users/1");
  EXPECT_TRUE(steadily(mobile_port_, "/users/1", "200 users-1"));
  // Every connection to the mobile port lands on the mobile proxy (SO_REUSEPORT would spread
  // them over both if the web proxy listened there too): orders is never routed.
  EXPECT_TRUE(steadily(mobile_port_, "/orders/1", "404", 20)) << get(mobile_port_, "/orders/1");
  EXPECT_TRUE(steadily(web_port_, "/orders/1", "200 orders-1", 20));
  const std::set<uint16_t> mobile_ports = listeningPorts(mobile_->process().pid());
  EXPECT_EQ(mobile_ports.count(mobile_port_), 1u);
  EXPECT_EQ(mobile_ports.count(web_port_), 0u);
  EXPECT_EQ(listeningPorts(web_->process().pid()).count(mobile_port_), 0u);
}

TEST_F(GroupsTest, ProxiesListShowsEachNodeWithItsGroupInSync) {
  web_ = startProxy("web-proxy", "web");
  mobile_ = startProxy("mobile-proxy", "mobile");
  ASSERT_NE(web_, nullptr);
  ASSERT_NE(mobile_, nullptr);
  std::string last;
  const bool in_sync = waitUntil(
      [&] {
        auto response = cp_->get("/v1/proxies");
        if (!response.ok() || response->status != 200) return false;
        last = response->body;
        std::map<std::string, std::string> groups;
        const json::value parsed = json::parse(response->body);
        for (const json::value& proxy : parsed.at("proxies").as_array()) {
          const json::object& entry = proxy.as_object();
          const std::string node(entry.at("node_id").as_string());
          for (const char* type : {"cds", "eds", "lds", "rds"}) {
            const json::object& t = entry.at("types").as_object().at(type).as_object();
            if (t.at("sent").as_string().empty() || t.at("sent") != t.at("acked") ||
                t.contains("last_nack")) {
              return false;
            }
          }
          groups[node] = std::string(entry.at("group").as_string());
        }
        return groups ==
               std::map<std::string, std::string>{{"web-proxy", "web"}, {"mobile-proxy", "mobile"}};
      },
      absl::Seconds(15));
  EXPECT_TRUE(in_sync) << last;
}

}  // namespace
}  // namespace portico::testing
