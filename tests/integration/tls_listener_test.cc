// listeners[].tls end to end, before TLS termination lands: portico-cp translates the TLS
// listener (Envoy's TLS transport socket), portico-proxy accepts it (no NACK) and becomes ready,
// serves the plaintext listener of the same update, and does not listen on the TLS port at all
// (never plaintext on a port the operator declared TLS); it warns once and counts the listener.

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <iostream>
#include <set>
#include <sstream>
#include <string>

#include "common/http/http_client.h"
#include "common/strings.h"
#include "tests/support/control_plane_process.h"
#include "tests/support/proxy_process.h"
#include "tests/support/test_env.h"

namespace portico::testing {
namespace {

namespace json = boost::json;

size_t occurrences(const std::string& text, const std::string& needle) {
  size_t count = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
    ++count;
  }
  return count;
}

class TlsListenerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    plain_port_ = pickFreePort();
    tls_port_ = pickFreePort();
    // Paths on the proxy's host; their contents are not read until TLS termination lands.
    const std::string dir = makeTempDir("portico-tls");
    for (const char* file : {"api.crt", "api.key", "admin.crt", "admin.key", "clients.pem"}) {
      writeFile(cat(dir, "/", file), "placeholder\n");
    }
    ControlPlaneProcess::Options cp_options;
    cp_options.config_yaml = cat(
        "version: 1\n", "listeners:\n",
        "  - { name: public, address: 127.0.0.1, port: ", plain_port_, " }\n", "  - name: secure\n",
        "    address: 127.0.0.1\n", "    port: ", tls_port_, "\n", "    tls:\n",
        "      certificates:\n", "        - { cert: ", dir, "/api.crt, key: ", dir, "/api.key }\n",
        "        - { cert: ", dir, "/admin.crt, key: ", dir, "/admin.key }\n",
        "      min_version: \"1.3\"\n", "      client_ca: ", dir, "/clients.pem\n", "routes:\n",
        "  - { name: users, match: { path_prefix: /users }, service: users }\n");
    auto cp = ControlPlaneProcess::start(cp_options);
    ASSERT_TRUE(cp.ok()) << cp.status();
    cp_ = std::move(*cp);
    auto backend =
        EchoBackend::start({"users-1", cat("127.0.0.1:", cp_->adminPort()), "users", 10});
    ASSERT_TRUE(backend.ok()) << backend.status();
    backend_ = std::move(*backend);
    ASSERT_TRUE(waitUntil(
        [&] {
          auto response = cp_->get("/v1/services/users");
          return response.ok() && response->status == 200 &&
                 !json::parse(response->body).at("instances").as_array().empty();
        },
        absl::Seconds(10)));
  }

  void TearDown() override {
    if (HasFailure()) {
      if (proxy_)
        std::cerr << "--- portico-proxy log:\n" << proxy_->process().logTail(6000) << "\n";
      if (cp_) std::cerr << "--- portico-cp log:\n" << cp_->process().logTail(6000) << "\n";
    }
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

  // True once every type of the one proxy in GET /v1/proxies is ACKed, none NACKed.
  bool proxyInSyncWithoutNack(std::string& last) {
    auto response = cp_->get("/v1/proxies");
    if (!response.ok() || response->status != 200) return false;
    last = response->body;
    const json::value parsed = json::parse(response->body);
    const json::array& proxies = parsed.at("proxies").as_array();
    if (proxies.size() != 1) return false;
    for (const char* type : {"cds", "eds", "lds", "rds"}) {
      const json::object& t = proxies[0].at("types").as_object().at(type).as_object();
      if (t.contains("last_nack")) return false;
      if (t.at("sent").as_string().empty() || t.at("sent") != t.at("acked")) return false;
    }
    return true;
  }

  uint16_t plain_port_ = 0;
  uint16_t tls_port_ = 0;
  std::unique_ptr<ControlPlaneProcess> cp_;
  std::unique_ptr<EchoBackend> backend_;
  std::unique_ptr<ProxyProcess> proxy_;
};

TEST_F(TlsListenerTest, TlsListenerIsAcceptedButNotOpened) {
  // The control plane serves the TLS listener with Envoy's TLS transport socket.
  auto dump = cp_->get("/v1/config_dump");
  ASSERT_TRUE(dump.ok()) << dump.status();
  EXPECT_NE(dump->body.find("envoy.transport_sockets.tls"), std::string::npos) << dump->body;
  EXPECT_NE(dump->body.find("DownstreamTlsContext"), std::string::npos);

  ProxyProcess::Options options;
  options.xds_address = cp_->xdsAddress();
  auto proxy = ProxyProcess::start(options);  // waits for /ready
  ASSERT_TRUE(proxy.ok()) << proxy.status();
  proxy_ = std::move(*proxy);
  EXPECT_TRUE(proxy_->ready());

  // The plaintext listener of the same update serves.
  ASSERT_TRUE(
      waitUntil([&] { return get(plain_port_, "/users/1") == "200 users-1"; }, absl::Seconds(10)))
      << get(plain_port_, "/users/1");

  // No NACK of anything: the proxy accepted the TLS listener.
  std::string last;
  EXPECT_TRUE(waitUntil([&] { return proxyInSyncWithoutNack(last); }, absl::Seconds(15))) << last;

  // The TLS port is not open at all: no plaintext where the operator declared TLS.
  const std::set<uint16_t> ports = listeningPorts(proxy_->process().pid());
  EXPECT_EQ(ports.count(plain_port_), 1u);
  EXPECT_EQ(ports.count(tls_port_), 0u);
  EXPECT_EQ(get(tls_port_, "/users/1"), "000");

  // The proxy holds the listener (config_dump) and says once why it is not listening.
  auto proxy_dump = proxy_->admin("/config_dump");
  ASSERT_TRUE(proxy_dump.ok()) << proxy_dump.status();
  EXPECT_NE(proxy_dump->body.find("\"secure\""), std::string::npos);
  EXPECT_NE(proxy_dump->body.find("DownstreamTlsContext"), std::string::npos);
  const std::string warning =
      cat("listener \"secure\" (127.0.0.1:", tls_port_,
          "): TLS termination is not supported by this version; not listening");
  EXPECT_EQ(occurrences(proxy_->process().logTail(1 << 20), warning), 1u);
  auto metrics = proxy_->admin("/metrics");
  ASSERT_TRUE(metrics.ok()) << metrics.status();
  EXPECT_NE(metrics->body.find("portico_proxy_listeners_skipped_total{reason=\"tls\"} 1"),
            std::string::npos)
      << metrics->body;
  // And no rejected xDS update on the proxy's side either.
  std::istringstream lines(metrics->body);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("portico_proxy_xds_updates_total{", 0) == 0 &&
        line.find("rejected") != std::string::npos) {
      EXPECT_EQ(line.substr(line.rfind(' ') + 1), "0") << line;
    }
  }
}

}  // namespace
}  // namespace portico::testing
