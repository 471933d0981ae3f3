// Mutual TLS between proxies and the control plane, end to end: a PKI made with the openssl
// command line, a real portico-cp requiring client certificates (--grpc_client_ca) and real
// portico-proxies. A proxy with a certificate from the control plane's client CA gets its
// configuration and serves traffic; a proxy without a client certificate, with one from another
// CA, or speaking plaintext gets nothing (its /ready stays 503, /v1/proxies does not list it).
// The gRPC registry on the same port follows the same rule.

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>

#include "common/http/http_client.h"
#include "common/strings.h"
#include "portico/registry/v1/registry.grpc.pb.h"
#include "tests/support/control_plane_process.h"
#include "tests/support/process.h"
#include "tests/support/proxy_process.h"
#include "tests/support/test_certs.h"
#include "tests/support/test_env.h"

namespace portico::testing {
namespace {

namespace json = boost::json;
namespace v1 = portico::registry::v1;

std::string readFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

struct Pki {
  CertFiles ca;          // signs the control plane's and the proxies' certificates
  CertFiles server;      // the control plane: IP:127.0.0.1
  CertFiles named;       // the control plane under a DNS name only: DNS:portico-cp.internal
  CertFiles proxy;       // a proxy: DNS:proxy-1
  CertFiles rogue_ca;    // another CA
  CertFiles rogue;       // a client certificate from the other CA
};

absl::StatusOr<Pki> makePki() {
  const std::string dir = makeTempDir("portico-pki");
  Pki pki;
  auto step = [](absl::StatusOr<CertFiles> made, CertFiles& out) {
    if (made.ok()) out = *made;
    return made.status();
  };
  absl::Status status = step(makeCa(dir, "portico-ca"), pki.ca);
  if (status.ok()) status = step(makeCert(dir, "cp", pki.ca, "IP:127.0.0.1", CertUsage::kServer), pki.server);
  if (status.ok()) {
    status = step(makeCert(dir, "cp-named", pki.ca, "DNS:portico-cp.internal", CertUsage::kServer), pki.named);
  }
  if (status.ok()) status = step(makeCert(dir, "proxy-1", pki.ca, "DNS:proxy-1", CertUsage::kClient), pki.proxy);
  if (status.ok()) status = step(makeCa(dir, "rogue-ca"), pki.rogue_ca);
  if (status.ok()) {
    status = step(makeCert(dir, "rogue", pki.rogue_ca, "DNS:proxy-1", CertUsage::kClient), pki.rogue);
  }
  if (!status.ok()) return status;
  return pki;
}

std::vector<std::string> serverFlags(const CertFiles& server, const CertFiles& ca) {
  return {cat("--grpc_tls_cert=", server.cert), cat("--grpc_tls_key=", server.key),
          cat("--grpc_client_ca=", ca.cert)};
}

std::vector<std::string> clientFlags(const std::string& ca, const CertFiles* client) {
  std::vector<std::string> out = {cat("--xds_tls_ca=", ca)};
  if (client != nullptr) {
    out.push_back(cat("--xds_tls_cert=", client->cert));
    out.push_back(cat("--xds_tls_key=", client->key));
  }
  return out;
}

class CpMtlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto pki = makePki();
    ASSERT_TRUE(pki.ok()) << pki.status();
    pki_ = new Pki(*pki);
    listener_port_ = pickFreePort();
    ControlPlaneProcess::Options options;
    options.config_yaml = cat("version: 1\n", "listeners:\n", "  - { name: public, address: 127.0.0.1, port: ",
                              listener_port_, " }\n", "routes:\n",
                              "  - { name: echo, match: { path_prefix: /echo }, service: echo }\n");
    options.extra_args = serverFlags(pki_->server, pki_->ca);
    auto cp = ControlPlaneProcess::start(options);
    ASSERT_TRUE(cp.ok()) << cp.status();
    cp_ = cp->release();
    auto backend = EchoBackend::start({"e1", cat("127.0.0.1:", cp_->adminPort()), "echo", 10});
    ASSERT_TRUE(backend.ok()) << backend.status();
    backend_ = backend->release();
  }
  static void TearDownTestSuite() {
    delete backend_;
    backend_ = nullptr;
    delete cp_;
    cp_ = nullptr;
    delete pki_;
    pki_ = nullptr;
  }
  void SetUp() override {
    ASSERT_NE(cp_, nullptr) << "portico-cp did not start";
    ASSERT_NE(backend_, nullptr);
  }
  void TearDown() override {
    if (HasFailure()) {
      for (auto& [name, proxy] : proxies_) {
        std::cerr << "--- portico-proxy " << name << " log:\n" << proxy->process().logTail(4000) << "\n";
      }
      if (cp_ != nullptr) std::cerr << "--- portico-cp log:\n" << cp_->process().logTail(6000) << "\n";
    }
  }

  ProxyProcess* startProxy(const std::string& node, std::vector<std::string> flags, bool wait_ready) {
    ProxyProcess::Options options;
    options.xds_address = cp_->xdsAddress();
    options.node_id = node;
    options.workers = 1;
    options.extra_args = std::move(flags);
    options.wait_ready = wait_ready;
    auto proxy = ProxyProcess::start(options);
    EXPECT_TRUE(proxy.ok()) << proxy.status();
    if (!proxy.ok()) return nullptr;
    proxies_.emplace_back(node, std::move(*proxy));
    return proxies_.back().second.get();
  }

  // The node ids /v1/proxies lists, with each one's verified identity.
  static std::map<std::string, std::string> connectedProxies() {
    std::map<std::string, std::string> out;
    auto response = cp_->get("/v1/proxies");
    if (!response.ok() || response->status != 200) return out;
    const json::value parsed = json::parse(response->body);
    for (const json::value& entry : parsed.at("proxies").as_array()) {
      out[std::string(entry.at("node_id").as_string())] = std::string(entry.at("identity").as_string());
    }
    return out;
  }

  // A refused proxy: it tried (its log says so), is not ready and is not listed.
  void expectRefused(ProxyProcess* proxy, const std::string& node) {
    ASSERT_NE(proxy, nullptr);
    ASSERT_TRUE(waitUntil([&] { return readFile(proxy->process().logPath()).find("xds: cannot reach") != std::string::npos; },
                          absl::Seconds(20)))
        << node << " never reported a failed connection";
    auto ready = proxy->admin("/ready");
    ASSERT_TRUE(ready.ok()) << ready.status();
    EXPECT_EQ(ready->status, 503) << node << ": " << ready->body;
    EXPECT_EQ(connectedProxies().count(node), 0u) << node << " must not be connected";
  }

  static int echoStatus() {
    http::ClientRequest request;
    request.target = "/echo/hello";
    auto response = http::fetch("127.0.0.1", listener_port_, request, absl::Seconds(2));
    return response.ok() ? response->status : 0;
  }

  static Pki* pki_;
  static uint16_t listener_port_;
  static ControlPlaneProcess* cp_;
  static EchoBackend* backend_;
  std::vector<std::pair<std::string, std::unique_ptr<ProxyProcess>>> proxies_;
};

Pki* CpMtlsTest::pki_ = nullptr;
uint16_t CpMtlsTest::listener_port_ = 0;
ControlPlaneProcess* CpMtlsTest::cp_ = nullptr;
EchoBackend* CpMtlsTest::backend_ = nullptr;

TEST_F(CpMtlsTest, ProxyWithAClientCertificateGetsConfigAndServes) {
  ProxyProcess* proxy = startProxy("good-proxy", clientFlags(pki_->ca.cert, &pki_->proxy), true);
  ASSERT_NE(proxy, nullptr);
  EXPECT_TRUE(waitUntil([] { return echoStatus() == 200; }, absl::Seconds(20))) << "no traffic through the proxy";
  const auto connected = connectedProxies();
  ASSERT_EQ(connected.count("good-proxy"), 1u);
  EXPECT_EQ(connected.at("good-proxy"), "proxy-1") << "the verified certificate's SAN";
  EXPECT_NE(readFile(proxy->process().logPath()).find("(delta, mutual TLS)"), std::string::npos);
}

TEST_F(CpMtlsTest, ProxiesWithoutAValidClientCertificateGetNothing) {
  ProxyProcess* no_cert = startProxy("no-cert", clientFlags(pki_->ca.cert, nullptr), false);
  ProxyProcess* rogue = startProxy("rogue", clientFlags(pki_->ca.cert, &pki_->rogue), false);
  ProxyProcess* plaintext = startProxy("plaintext", {}, false);
  // The refused ones have had the same time as this one to connect.
  ASSERT_NE(startProxy("control", clientFlags(pki_->ca.cert, &pki_->proxy), true), nullptr);
  expectRefused(no_cert, "no-cert");
  expectRefused(rogue, "rogue");
  expectRefused(plaintext, "plaintext");
}

TEST_F(CpMtlsTest, ProxyRefusesAControlPlaneFromAnotherCa) {
  // The proxy trusts only the rogue CA: the control plane's certificate does not verify.
  ProxyProcess* proxy = startProxy("distrustful", clientFlags(pki_->rogue_ca.cert, &pki_->rogue), false);
  expectRefused(proxy, "distrustful");
}

TEST_F(CpMtlsTest, ServerNameOverrideVerifiesACertificateWithoutTheIp) {
  // A second control plane whose certificate names only portico-cp.internal, dialed by IP.
  ControlPlaneProcess::Options options;
  options.config_yaml = cat("version: 1\n", "listeners:\n", "  - { name: public, address: 127.0.0.1, port: ",
                            pickFreePort(), " }\n");
  options.extra_args = serverFlags(pki_->named, pki_->ca);
  auto named_cp = ControlPlaneProcess::start(options);
  ASSERT_TRUE(named_cp.ok()) << named_cp.status();
  auto start = [&](const std::string& node, std::vector<std::string> flags, bool wait) {
    ProxyProcess::Options proxy_options;
    proxy_options.xds_address = (*named_cp)->xdsAddress();
    proxy_options.node_id = node;
    proxy_options.workers = 1;
    proxy_options.extra_args = std::move(flags);
    proxy_options.wait_ready = wait;
    return ProxyProcess::start(proxy_options);
  };
  auto mismatch = start("by-ip", clientFlags(pki_->ca.cert, &pki_->proxy), false);
  ASSERT_TRUE(mismatch.ok());
  std::vector<std::string> flags = clientFlags(pki_->ca.cert, &pki_->proxy);
  flags.push_back("--xds_tls_server_name=portico-cp.internal");
  auto overridden = start("by-name", flags, true);
  ASSERT_TRUE(overridden.ok()) << overridden.status();
  ASSERT_TRUE(waitUntil([&] { return readFile((*mismatch)->process().logPath()).find("xds: cannot reach") != std::string::npos; },
                        absl::Seconds(20)));
  EXPECT_FALSE((*mismatch)->ready()) << "127.0.0.1 is not in the certificate";
}

// The registry service shares the port, and so the client-certificate requirement.
TEST_F(CpMtlsTest, GrpcRegistryNeedsAClientCertificateToo) {
  auto list = [](std::shared_ptr<grpc::ChannelCredentials> credentials) {
    auto channel = grpc::CreateChannel(cp_->xdsAddress(), credentials);
    auto stub = v1::Registry::NewStub(channel);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    v1::ListResponse response;
    grpc::Status status = stub->List(&context, v1::ListRequest(), &response);
    return std::make_pair(status, response.instances_size());
  };
  grpc::SslCredentialsOptions with_cert;
  with_cert.pem_root_certs = readFile(pki_->ca.cert);
  with_cert.pem_cert_chain = readFile(pki_->proxy.cert);
  with_cert.pem_private_key = readFile(pki_->proxy.key);
  auto [ok_status, instances] = list(grpc::SslCredentials(with_cert));
  EXPECT_TRUE(ok_status.ok()) << ok_status.error_message();
  EXPECT_EQ(instances, 1) << "the echo backend";

  grpc::SslCredentialsOptions without_cert;
  without_cert.pem_root_certs = readFile(pki_->ca.cert);
  EXPECT_EQ(list(grpc::SslCredentials(without_cert)).first.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(list(grpc::InsecureChannelCredentials()).first.error_code(), grpc::StatusCode::UNAVAILABLE);
}

// Bad TLS flags stop the process at start-up with a message naming the flag.
TEST_F(CpMtlsTest, BadFlagsStopAtStartUp) {
  const std::string dir = makeTempDir("portico-mtls-flags");
  auto run = [&dir](const std::string& binary, const std::vector<std::string>& args) {
    auto process = Process::start(binaryPath(binary), args, cat(dir, "/", binary, ".log"));
    EXPECT_TRUE(process.ok());
    EXPECT_TRUE(waitUntil([&] { return !(*process)->running(); }, absl::Seconds(10))) << binary << " kept running";
    const int status = (*process)->stop();
    return std::make_pair(status, (*process)->logTail());
  };
  const std::string port = cat(pickFreePort());
  auto [key_status, key_log] =
      run("portico-cp", {cat("--xds_port=", port), "--admin_port=0", "--xds_address=127.0.0.1",
                         cat("--grpc_tls_cert=", pki_->server.cert), cat("--grpc_tls_key=", pki_->proxy.key)});
  EXPECT_NE(key_status, 0);
  EXPECT_NE(key_log.find(cat("--grpc_tls_key=", pki_->proxy.key, ": the key does not match the certificate in "
                                                                  "--grpc_tls_cert=",
                             pki_->server.cert)),
            std::string::npos)
      << key_log;
  auto [ca_status, ca_log] = run("portico-cp", {cat("--xds_port=", port), "--admin_port=0",
                                                cat("--grpc_client_ca=", pki_->ca.cert)});
  EXPECT_NE(ca_status, 0);
  EXPECT_NE(ca_log.find("--grpc_tls_cert and --grpc_tls_key go together"), std::string::npos) << ca_log;
  auto [proxy_status, proxy_log] =
      run("portico-proxy", {"--xds=127.0.0.1:1", "--admin_port=0", cat("--xds_tls_cert=", pki_->proxy.cert),
                            cat("--xds_tls_key=", pki_->proxy.key)});
  EXPECT_NE(proxy_status, 0);
  EXPECT_NE(proxy_log.find("--xds_tls_cert/--xds_tls_key need --xds_tls_ca"), std::string::npos) << proxy_log;
  auto [missing_status, missing_log] =
      run("portico-proxy", {"--xds=127.0.0.1:1", "--admin_port=0", cat("--xds_tls_ca=", dir, "/absent.pem")});
  EXPECT_NE(missing_status, 0);
  EXPECT_NE(missing_log.find(cat("--xds_tls_ca=", dir, "/absent.pem: cannot open the file")), std::string::npos)
      << missing_log;
}

}  // namespace
}  // namespace portico::testing
