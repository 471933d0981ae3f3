// TLS listeners in the proxy: a filter chain with Envoy's TLS transport socket is accepted and
// compiled (ListenerConfig::tls) but never opened, because this version cannot terminate TLS and
// must not serve it in plaintext. Only invalid transport sockets are refused (NACK).

#include <arpa/inet.h>
#include <netinet/in.h>
#include <prometheus/registry.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include "data-plane/listener/listener_manager.h"
#include "data-plane/listener/proxy_stats.h"
#include "data-plane/listener/worker.h"
#include "envoy/extensions/transport_sockets/tls/v3/tls.pb.h"
#include "tests/unit/data-plane/config/snapshot_compiler_test_util.h"

namespace portico::dp::config {
namespace {

using namespace compiler_test;  // NOLINT(google-build-using-namespace): test helpers
namespace tls = envoy::extensions::transport_sockets::tls::v3;
namespace model = portico::cp::model;

model::ListenerTls tlsConfig() {
  model::ListenerTls out;
  out.certificates.push_back({"/tls/a.crt", "/tls/a.key"});
  out.certificates.push_back({"/tls/b.crt", "/tls/b.key"});
  return out;
}

// A TLS listener exactly as portico-cp builds it.
Listener tlsListener(const std::string& name, uint32_t port = 8443,
                     const model::ListenerTls& config = tlsConfig()) {
  return builders::buildListener(model::ListenerConfig{name, "127.0.0.1", port, config});
}

// minimalSet() plus the TLS listener `in` and its (empty) route configuration.
xds::ResourceSet setWith(const Listener& in) {
  xds::ResourceSet set = minimalSet();
  add(set, in);
  add(set, builders::buildRouteConfiguration(in.name(), {entry("echo", "/echo", "echo")}));
  return set;
}

// `in` with its transport socket's typed_config replaced by `context`.
Listener withContext(Listener in, const tls::DownstreamTlsContext& context) {
  in.mutable_filter_chains(0)->mutable_transport_socket()->mutable_typed_config()->PackFrom(
      context);
  return in;
}

tls::DownstreamTlsContext contextOf(const Listener& in) {
  tls::DownstreamTlsContext out;
  EXPECT_TRUE(in.filter_chains(0).transport_socket().typed_config().UnpackTo(&out));
  return out;
}

// ---- accepted ----------------------------------------------------------------------------------

TEST_F(SnapshotCompilerTest, TlsListenerIsAcceptedAndFlagged) {
  SnapshotPtr snapshot = compileOk(setWith(tlsListener("secure")));
  ASSERT_NE(snapshot, nullptr);
  const ListenerConfig* secure = snapshot->listener("secure");
  ASSERT_NE(secure, nullptr);
  EXPECT_TRUE(secure->tls);
  EXPECT_EQ(secure->port, 8443);
  EXPECT_EQ(secure->route_config, "secure");
  EXPECT_NE(secure->routes, nullptr) << "its routes compile like any listener's";
  const ListenerConfig* plain = snapshot->listener("public");
  ASSERT_NE(plain, nullptr);
  EXPECT_FALSE(plain->tls);
}

TEST_F(SnapshotCompilerTest, TlsListenerWithClientCaAndTls13IsAccepted) {
  model::ListenerTls config = tlsConfig();
  config.min_version = "1.3";
  config.client_ca = "/tls/clients.pem";
  SnapshotPtr snapshot = compileOk(setWith(tlsListener("secure", 8443, config)));
  ASSERT_NE(snapshot, nullptr);
  ASSERT_NE(snapshot->listener("secure"), nullptr);
  EXPECT_TRUE(snapshot->listener("secure")->tls);
}

// What portico-cp serves for listeners[].tls compiles: the proxy ACKs it.
TEST_F(SnapshotCompilerTest, TranslatedTlsListenerIsAccepted) {
  const xds::ResourceSet set = translateYaml(
      "listeners:\n"
      "  - { name: public, address: 127.0.0.1, port: 8080 }\n"
      "  - name: secure\n"
      "    address: 127.0.0.1\n"
      "    port: 8443\n"
      "    tls:\n"
      "      certificates: [{ cert: /nonexistent/a.crt, key: /nonexistent/a.key }]\n"
      "      client_ca: /nonexistent/ca.pem\n");
  SnapshotPtr snapshot = compileOk(set);
  ASSERT_NE(snapshot, nullptr);
  ASSERT_NE(snapshot->listener("secure"), nullptr);
  EXPECT_TRUE(snapshot->listener("secure")->tls) << "PEM files are not read before TLS lands";
  ASSERT_NE(snapshot->listener("public"), nullptr);
  EXPECT_FALSE(snapshot->listener("public")->tls);
}

// Envoy's raw_buffer socket is plaintext, the same as no transport socket.
TEST_F(SnapshotCompilerTest, RawBufferTransportSocketIsPlaintext) {
  Listener in = listener("plain", "127.0.0.1", 8081);
  auto* socket = in.mutable_filter_chains(0)->mutable_transport_socket();
  socket->set_name("envoy.transport_sockets.raw_buffer");
  socket->mutable_typed_config()->set_type_url(
      "type.googleapis.com/envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer");
  SnapshotPtr snapshot = compileOk(setWith(in));
  ASSERT_NE(snapshot, nullptr);
  ASSERT_NE(snapshot->listener("plain"), nullptr);
  EXPECT_FALSE(snapshot->listener("plain")->tls);
}

// ---- refused: only what is invalid ---------------------------------------------------------

TEST_F(SnapshotCompilerTest, UnknownTransportSocketTypeIsRefused) {
  Listener in = tlsListener("secure");
  auto* socket = in.mutable_filter_chains(0)->mutable_transport_socket();
  socket->set_name("envoy.transport_sockets.alts");
  socket->mutable_typed_config()->set_type_url(
      "type.googleapis.com/envoy.extensions.transport_sockets.alts.v3.Alts");
  EXPECT_EQ(
      errorOf(setWith(in)),
      "listener \"secure\": filter_chains[0].transport_socket \"envoy.transport_sockets.alts\": "
      "unsupported transport socket type "
      "type.googleapis.com/envoy.extensions.transport_sockets.alts.v3.Alts");
}

// An upstream (client) context on a listener is the wrong side of TLS.
TEST_F(SnapshotCompilerTest, UpstreamTlsContextOnAListenerIsRefused) {
  Listener in = tlsListener("secure");
  in.mutable_filter_chains(0)->mutable_transport_socket()->mutable_typed_config()->set_type_url(
      "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext");
  EXPECT_NE(errorOf(setWith(in)).find("unsupported transport socket type"), std::string::npos);
}

TEST_F(SnapshotCompilerTest, TransportSocketWithoutTypedConfigIsRefused) {
  Listener in = tlsListener("secure");
  in.mutable_filter_chains(0)->mutable_transport_socket()->clear_typed_config();
  EXPECT_EQ(
      errorOf(setWith(in)),
      "listener \"secure\": filter_chains[0].transport_socket \"envoy.transport_sockets.tls\": "
      "typed_config is required");
}

TEST_F(SnapshotCompilerTest, UndecodableTlsContextIsRefused) {
  Listener in = tlsListener("secure");
  in.mutable_filter_chains(0)->mutable_transport_socket()->mutable_typed_config()->set_value(
      "\xff\xff\xff");
  EXPECT_EQ(errorOf(setWith(in)),
            "listener \"secure\": filter_chains[0].transport_socket.typed_config: cannot decode "
            "DownstreamTlsContext");
}

TEST_F(SnapshotCompilerTest, TlsContextWithoutCertificatesIsRefused) {
  Listener in = tlsListener("secure");
  tls::DownstreamTlsContext context = contextOf(in);
  context.mutable_common_tls_context()->clear_tls_certificates();
  const std::string error = errorOf(setWith(withContext(in, context)));
  EXPECT_EQ(
      error,
      "listener \"secure\": filter_chains[0].transport_socket.typed_config.common_tls_context."
      "tls_certificates: at least one certificate is required (SDS is not supported)");
}

TEST_F(SnapshotCompilerTest, CertificateWithoutChainOrKeyIsRefused) {
  Listener in = tlsListener("secure");
  tls::DownstreamTlsContext context = contextOf(in);
  context.mutable_common_tls_context()->mutable_tls_certificates(0)->clear_private_key();
  context.mutable_common_tls_context()
      ->mutable_tls_certificates(1)
      ->mutable_certificate_chain()
      ->set_filename("");
  const std::string error = errorOf(setWith(withContext(in, context)));
  EXPECT_NE(error.find("tls_certificates[0].private_key: required"), std::string::npos) << error;
  EXPECT_NE(error.find("tls_certificates[1].certificate_chain: required"), std::string::npos)
      << error;
}

// Inline PEM is as valid as a file name.
TEST_F(SnapshotCompilerTest, InlineCertificateIsAccepted) {
  Listener in = tlsListener("secure");
  tls::DownstreamTlsContext context = contextOf(in);
  auto* certificate = context.mutable_common_tls_context()->mutable_tls_certificates(0);
  certificate->mutable_certificate_chain()->set_inline_string("-----BEGIN CERTIFICATE-----");
  certificate->mutable_private_key()->set_inline_bytes("-----BEGIN PRIVATE KEY-----");
  SnapshotPtr snapshot = compileOk(setWith(withContext(in, context)));
  ASSERT_NE(snapshot, nullptr);
  EXPECT_TRUE(snapshot->listener("secure")->tls);
}

TEST_F(SnapshotCompilerTest, RequireClientCertificateWithoutTrustedCaIsRefused) {
  Listener in = tlsListener("secure");
  tls::DownstreamTlsContext context = contextOf(in);
  context.mutable_require_client_certificate()->set_value(true);
  EXPECT_EQ(errorOf(setWith(withContext(in, context))),
            "listener \"secure\": filter_chains[0].transport_socket.typed_config."
            "require_client_certificate: needs common_tls_context.validation_context.trusted_ca");
}

TEST_F(SnapshotCompilerTest, BadProtocolVersionsAreRefused) {
  Listener in = tlsListener("secure");
  tls::DownstreamTlsContext context = contextOf(in);
  auto* params = context.mutable_common_tls_context()->mutable_tls_params();
  params->set_tls_minimum_protocol_version(tls::TlsParameters::TLSv1_3);
  params->set_tls_maximum_protocol_version(tls::TlsParameters::TLSv1_2);
  EXPECT_NE(errorOf(setWith(withContext(in, context)))
                .find("tls_params: minimum protocol version is above the maximum"),
            std::string::npos);

  params->set_tls_maximum_protocol_version(static_cast<tls::TlsParameters::TlsProtocol>(9));
  EXPECT_NE(errorOf(setWith(withContext(in, context)))
                .find("tls_maximum_protocol_version: unknown value 9"),
            std::string::npos);
}

// A refused TLS listener refuses the whole update, like any other bad resource.
TEST_F(SnapshotCompilerTest, RefusedTlsListenerRefusesTheUpdate) {
  Listener in = tlsListener("secure");
  tls::DownstreamTlsContext context = contextOf(in);
  context.mutable_common_tls_context()->clear_tls_certificates();
  EXPECT_FALSE(compile(setWith(withContext(in, context))).ok());
}

// ---- the ListenerManager never opens a TLS listener -----------------------------------------

// A port that was free a moment ago on 127.0.0.1.
uint16_t freePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

bool accepting(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  ::close(fd);
  return ok;
}

ListenerConfig compiled(const std::string& name, uint16_t port, bool is_tls) {
  ListenerConfig out;
  out.name = name;
  out.address = "127.0.0.1";
  out.port = port;
  out.tls = is_tls;
  return out;
}

class TlsListenerManagerTest : public ::testing::Test {
 protected:
  TlsListenerManagerTest()
      : stats_(registry_), worker_(0, stats_, route_stats_.get("", ""), listener::WorkerLimits{}) {
    worker_.start();
  }
  ~TlsListenerManagerTest() override {
    manager_.closeAll();
    worker_.stop();
  }

  void apply(const std::vector<ListenerConfig>& listeners) {
    auto plan = manager_.prepare(listeners);
    ASSERT_TRUE(plan.ok()) << plan.status();
    manager_.commit(std::move(*plan));
  }
  double skippedCount() const { return stats_.listeners_skipped_tls_total->Value(); }

  prometheus::Registry registry_;
  router::RouteStatsStore route_stats_{1};
  listener::ProxyStats stats_;
  listener::Worker worker_;
  listener::ListenerManager manager_{{&worker_}};
};

TEST_F(TlsListenerManagerTest, TlsListenerIsNotOpenedPlaintextOneIs) {
  const uint16_t plain_port = freePort();
  const uint16_t tls_port = freePort();
  auto plan =
      manager_.prepare({compiled("public", plain_port, false), compiled("secure", tls_port, true)});
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->added.count("public"), 1u);
  EXPECT_EQ(plan->added.count("secure"), 0u) << "no socket is ever opened for a TLS listener";
  EXPECT_EQ(plan->skipped.count("secure"), 1u);
  manager_.commit(std::move(*plan));
  EXPECT_EQ(manager_.skipped(), std::vector<std::string>{"secure"});
  EXPECT_EQ(skippedCount(), 1);
  EXPECT_TRUE(accepting(plain_port));
  EXPECT_FALSE(accepting(tls_port));

  // The same update again: no new warning, no new count, nothing reopened.
  apply({compiled("public", plain_port, false), compiled("secure", tls_port, true)});
  EXPECT_EQ(skippedCount(), 1);
  EXPECT_FALSE(accepting(tls_port));
  EXPECT_TRUE(accepting(plain_port));
}

TEST_F(TlsListenerManagerTest, PlaintextListenerThatBecomesTlsIsClosed) {
  const uint16_t port = freePort();
  apply({compiled("public", port, false)});
  EXPECT_TRUE(accepting(port));
  auto plan = manager_.prepare({compiled("public", port, true)});
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->removed, std::vector<std::string>{"public"});
  manager_.commit(std::move(*plan));
  EXPECT_EQ(skippedCount(), 1);
  // removeListener is posted to the worker: wait for it to close the acceptor.
  bool closed = false;
  for (int i = 0; i < 200 && !closed; ++i) {
    closed = !accepting(port);
    if (!closed) ::usleep(5000);
  }
  EXPECT_TRUE(closed) << "a listener that turned TLS must stop serving plaintext";

  // And back to plaintext: opened again; the TLS listener is no longer skipped.
  apply({compiled("public", port, false)});
  EXPECT_TRUE(manager_.skipped().empty());
  bool open = false;
  for (int i = 0; i < 200 && !open; ++i) {
    open = accepting(port);
    if (!open) ::usleep(5000);
  }
  EXPECT_TRUE(open);
}

}  // namespace
}  // namespace portico::dp::config
