// End to end: one portico-cp serving two proxies at once, one on incremental xDS
// (--xds_protocol=delta, DeltaAggregatedResources) and one on state of the world
// (--xds_protocol=sotw). Both must converge on the same configuration, follow registration
// changes (new endpoints, a new service and its removal: EDS subscribe/unsubscribe), and resync
// after a control-plane restart (delta presents initial_resource_versions).
//
// Both proxies get the same listener (every group is served the same listeners) and bind it with
// SO_REUSEPORT, so the kernel spreads connections over both: what one proxy holds is checked on
// its own admin port (/clusters, /metrics), and traffic is sent on fresh connections until each
// proxy's own request counter shows it routed some.

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "common/http/http_client.h"
#include "common/strings.h"
#include "tests/support/control_plane_process.h"
#include "tests/support/proxy_process.h"
#include "tests/support/test_env.h"

namespace portico::testing {
namespace {

namespace json = boost::json;

std::string configYaml(uint16_t port) {
  return cat("version: 1\n", "listeners:\n", "  - name: public\n", "    address: 127.0.0.1\n",
             "    port: ", port, "\n", "routes:\n", "  - name: echo\n",
             "    match: { path_prefix: /echo }\n", "    service: echo\n");
}

class ProxyDeltaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    listener_port_ = pickFreePort();
    ControlPlaneProcess::Options cp_options;
    cp_options.config_yaml = configYaml(listener_port_);
    // A service whose last instance leaves is dropped at once (its cluster is removed).
    cp_options.extra_args = {"--service_retention=0s"};
    auto cp = ControlPlaneProcess::start(cp_options);
    ASSERT_TRUE(cp.ok()) << cp.status();
    cp_ = std::move(*cp);
    for (const char* name : {"echo-1", "echo-2"}) {
      addBackend(name, "echo");
    }
    ASSERT_TRUE(waitUntil([&] { return registered("echo") == 2; }, absl::Seconds(10)));
    delta_ = startProxy("proxy-delta", "delta");
    sotw_ = startProxy("proxy-sotw", "sotw");
  }

  void TearDown() override {
    if (HasFailure()) {
      for (auto* proxy : {delta_.get(), sotw_.get()}) {
        if (proxy != nullptr) {
          std::cerr << "--- portico-proxy log:\n" << proxy->process().logTail(6000) << "\n";
        }
      }
      if (cp_ && cp_->process().running()) {
        std::cerr << "--- portico-cp log:\n" << cp_->process().logTail(6000) << "\n";
      }
    }
  }

  std::unique_ptr<ProxyProcess> startProxy(const std::string& node_id,
                                           const std::string& protocol) {
    ProxyProcess::Options options;
    options.xds_address = cp_->xdsAddress();
    options.node_id = node_id;
    options.extra_args = {cat("--xds_protocol=", protocol)};
    auto proxy = ProxyProcess::start(options);
    EXPECT_TRUE(proxy.ok()) << proxy.status();
    return proxy.ok() ? std::move(*proxy) : nullptr;
  }

  void addBackend(const std::string& name, const std::string& service) {
    auto backend = EchoBackend::start({name, cat("127.0.0.1:", cp_->adminPort()), service, 2});
    ASSERT_TRUE(backend.ok()) << backend.status();
    backends_.push_back(std::move(*backend));
  }

  int registered(const std::string& service) {
    auto response = cp_->get("/v1/services/" + service);
    if (!response.ok() || response->status != 200) return 0;
    return static_cast<int>(json::parse(response->body).at("instances").as_array().size());
  }

  // cluster name -> endpoint addresses, from the proxy's own /clusters.
  static std::map<std::string, std::set<std::string>> clustersOf(const ProxyProcess& proxy) {
    std::map<std::string, std::set<std::string>> out;
    auto response = proxy.admin("/clusters");
    if (!response.ok() || response->status != 200) return out;
    const json::value parsed = json::parse(response->body);
    for (const auto& cluster : parsed.at("clusters").as_array()) {
      auto& addresses = out[std::string(cluster.at("name").as_string())];
      for (const auto& endpoint : cluster.at("endpoints").as_array()) {
        addresses.insert(std::string(endpoint.at("address").as_string()));
      }
    }
    return out;
  }

  std::string backendAddress(size_t i) const { return cat("127.0.0.1:", backends_[i]->port()); }

  // True once both proxies hold exactly `addresses` for `cluster` (empty: no such cluster).
  bool bothHold(const std::string& cluster, const std::set<std::string>& addresses) {
    for (auto* proxy : {delta_.get(), sotw_.get()}) {
      auto clusters = clustersOf(*proxy);
      auto it = clusters.find(cluster);
      if (addresses.empty() ? it != clusters.end()
                            : it == clusters.end() || it->second != addresses) {
        return false;
      }
    }
    return true;
  }

  // A sample's value in the proxy's /metrics (-1 if absent).
  static double metric(const ProxyProcess& proxy, const std::string& sample) {
    auto response = proxy.admin("/metrics");
    if (!response.ok()) return -1;
    const std::string& body = response->body;
    for (size_t at = body.find(sample); at != std::string::npos; at = body.find(sample, at + 1)) {
      if ((at == 0 || body[at - 1] == '\n') && body.size() > at + sample.size() &&
          body[at + sample.size()] == ' ') {
        return std::stod(body.substr(at + sample.size() + 1));
      }
    }
    return -1;
  }

  static double routed(const ProxyProcess& proxy, const std::string& route,
                       const std::string& service) {
    return metric(proxy, cat("portico_proxy_requests_total{code=\"200\",route=\"", route,
                             "\",service=\"", service, "\"}"));
  }

  // One request on a fresh connection (the kernel picks the proxy): the backend that answered.
  std::string fetchBackend(const std::string& target) {
    http::ClientRequest request;
    request.target = target;
    auto response = http::fetch("127.0.0.1", listener_port_, request, absl::Seconds(5));
    if (!response.ok() || response->status != 200) return "";
    return std::string(json::parse(response->body).at("name").as_string());
  }

  // Sends requests on fresh connections until each proxy routed at least one more to `service`
  // and every backend in `expect` answered; bounded.
  bool bothRoute(const std::string& path, const std::string& route, const std::string& service,
                 const std::set<std::string>& expect) {
    const double delta_before = std::max(0.0, routed(*delta_, route, service));
    const double sotw_before = std::max(0.0, routed(*sotw_, route, service));
    std::set<std::string> seen;
    return waitUntil(
        [&] {
          for (int i = 0; i < 8; ++i) {
            seen.insert(fetchBackend(path));
          }
          bool all = true;
          for (const auto& name : expect) all = all && seen.count(name) != 0;
          return all && routed(*delta_, route, service) > delta_before &&
                 routed(*sotw_, route, service) > sotw_before;
        },
        absl::Seconds(15), absl::Milliseconds(10));
  }

  // Exactly the two nodes listed by GET /v1/proxies, each with its protocol, and every type
  // ACKed at the version last sent.
  bool bothListedInSync() {
    auto response = cp_->get("/v1/proxies");
    if (!response.ok() || response->status != 200) return false;
    const json::array list = json::parse(response->body).at("proxies").as_array();
    std::map<std::string, json::object> listed;
    for (const auto& entry : list) {
      listed[std::string(entry.at("node_id").as_string())] = entry.as_object();
    }
    if (list.size() != 2 || !listed.count("proxy-delta") || !listed.count("proxy-sotw")) {
      return false;
    }
    for (const auto& [node, protocol] :
         std::map<std::string, std::string>{{"proxy-delta", "delta"}, {"proxy-sotw", "sotw"}}) {
      const json::object& entry = listed[node];
      if (!entry.contains("protocol") || entry.at("protocol").as_string() != protocol) return false;
      for (const auto& [type, status] : entry.at("types").as_object()) {
        const auto& t = status.as_object();
        if (t.at("sent").as_string().empty() || t.at("sent") != t.at("acked") ||
            t.contains("last_nack")) {
          return false;
        }
      }
    }
    return true;
  }

  void expectNoRejectedUpdates() {
    for (auto* proxy : {delta_.get(), sotw_.get()}) {
      for (const char* type : {"cds", "eds", "lds", "rds"}) {
        EXPECT_EQ(metric(*proxy, cat("portico_proxy_xds_updates_total{result=\"rejected\",type=\"",
                                     type, "\"}")),
                  0)
            << type;
        EXPECT_GE(metric(*proxy, cat("portico_proxy_xds_updates_total{result=\"accepted\",type=\"",
                                     type, "\"}")),
                  1)
            << type;
      }
    }
  }

  uint16_t listener_port_ = 0;
  std::unique_ptr<ControlPlaneProcess> cp_;
  std::vector<std::unique_ptr<EchoBackend>> backends_;
  std::unique_ptr<ProxyProcess> delta_;
  std::unique_ptr<ProxyProcess> sotw_;
};

TEST_F(ProxyDeltaTest, BothProtocolsConvergeAndRoute) {
  ASSERT_TRUE(delta_ && sotw_);
  EXPECT_TRUE(waitUntil(
      [&] {
        return bothHold("echo", {backendAddress(0), backendAddress(1)});
      },
      absl::Seconds(10)));
  EXPECT_TRUE(bothRoute("/echo/x", "echo", "echo", {"echo-1", "echo-2"}));
  EXPECT_TRUE(waitUntil([&] { return bothListedInSync(); }, absl::Seconds(10)))
      << cp_->get("/v1/proxies")->body;
  expectNoRejectedUpdates();
  // The same resources on both sides: the delta proxy's per-type dump matches the SotW one's.
  auto delta_dump = json::parse(delta_->admin("/config_dump")->body);
  auto sotw_dump = json::parse(sotw_->admin("/config_dump")->body);
  for (const char* section : {"listeners", "routes", "clusters", "endpoints"}) {
    EXPECT_EQ(delta_dump.at(section), sotw_dump.at(section)) << section;
  }
}

TEST_F(ProxyDeltaTest, RegistrationChangesReachBoth) {
  ASSERT_TRUE(delta_ && sotw_);
  ASSERT_TRUE(waitUntil(
      [&] {
        return bothHold("echo", {backendAddress(0), backendAddress(1)});
      },
      absl::Seconds(10)));
  // One more endpoint: an EDS update.
  addBackend("echo-3", "echo");
  EXPECT_TRUE(waitUntil(
      [&] {
        return bothHold("echo", {backendAddress(0), backendAddress(1), backendAddress(2)});
      },
      absl::Seconds(10)));
  // A new service: a new cluster, an EDS subscription to a new name and a default route.
  addBackend("other-1", "other");
  EXPECT_TRUE(waitUntil([&] { return bothHold("other", {backendAddress(3)}); }, absl::Seconds(10)));
  EXPECT_TRUE(bothRoute("/other/x", "other", "other", {"other-1"}));
  // One endpoint leaves (deregisters on SIGTERM).
  backends_[0]->stop();
  EXPECT_TRUE(waitUntil(
      [&] {
        return bothHold("echo", {backendAddress(1), backendAddress(2)});
      },
      absl::Seconds(10)));
  // The whole service leaves: its cluster goes (delta: removed_resources, EDS unsubscribed).
  backends_[3]->stop();
  EXPECT_TRUE(waitUntil([&] { return bothHold("other", {}); }, absl::Seconds(10)));
  EXPECT_TRUE(bothRoute("/echo/x", "echo", "echo", {"echo-2", "echo-3"}));
  EXPECT_TRUE(waitUntil([&] { return bothListedInSync(); }, absl::Seconds(10)))
      << cp_->get("/v1/proxies")->body;
  expectNoRejectedUpdates();
}

TEST_F(ProxyDeltaTest, BothResyncAfterAControlPlaneRestartAndAProxyRestart) {
  ASSERT_TRUE(delta_ && sotw_);
  ASSERT_TRUE(waitUntil(
      [&] {
        return bothHold("echo", {backendAddress(0), backendAddress(1)});
      },
      absl::Seconds(10)));
  ASSERT_TRUE(cp_->restart().ok());
  // In-memory registry: the backends register again on their next heartbeat's 404.
  EXPECT_TRUE(waitUntil([&] { return registered("echo") == 2; }, absl::Seconds(10)));
  EXPECT_TRUE(waitUntil([&] { return bothListedInSync(); }, absl::Seconds(15)))
      << cp_->get("/v1/proxies")->body;
  // A backend registered after the restart reaches both: they are on the new streams.
  addBackend("echo-3", "echo");
  EXPECT_TRUE(waitUntil(
      [&] {
        return bothHold("echo", {backendAddress(0), backendAddress(1), backendAddress(2)});
      },
      absl::Seconds(15)));
  expectNoRejectedUpdates();

  // A restarted delta proxy starts from nothing and converges again.
  delta_->stop();
  delta_ = startProxy("proxy-delta", "delta");
  ASSERT_TRUE(delta_);
  EXPECT_TRUE(waitUntil(
      [&] {
        return bothHold("echo", {backendAddress(0), backendAddress(1), backendAddress(2)});
      },
      absl::Seconds(10)));
  EXPECT_TRUE(bothRoute("/echo/x", "echo", "echo", {"echo-1", "echo-2", "echo-3"}));
  EXPECT_TRUE(waitUntil([&] { return bothListedInSync(); }, absl::Seconds(10)))
      << cp_->get("/v1/proxies")->body;
}

}  // namespace
}  // namespace portico::testing
