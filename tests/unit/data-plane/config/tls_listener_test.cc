// TLS listeners in the proxy: a filter chain with Envoy's TLS transport socket compiles into a
// listener with a TLS context (its certificates read and checked at compile time), and invalid
// transport sockets, settings or files refuse the update (NACK) with the field and file named.
// The ListenerManager opens TLS listeners like plaintext ones.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <prometheus/registry.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "data-plane/listener/listener_manager.h"
#include "data-plane/listener/proxy_stats.h"
#include "data-plane/listener/worker.h"
#include "envoy/extensions/transport_sockets/tls/v3/tls.pb.h"
#include "data-plane/tls/context_slot.h"
#include "tests/unit/data-plane/config/snapshot_compiler_test_util.h"
#include "tests/unit/data-plane/tls/tls_test_util.h"

namespace portico::dp::config {
namespace {

using namespace compiler_test;  // NOLINT(google-build-using-namespace): test helpers
namespace tls_v3 = envoy::extensions::transport_sockets::tls::v3;
namespace model = portico::cp::model;

// Certificates on disk for the whole test binary (a.test, b.test, a client CA).
const tls::testing::Pki& pki() {
  static const tls::testing::Pki* instance = new tls::testing::Pki();
  return *instance;
}

model::ListenerTls tlsConfig() {
  model::ListenerTls out;
  out.certificates.push_back({pki().a.first, pki().a.second});
  out.certificates.push_back({pki().b.first, pki().b.second});
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
Listener withContext(Listener in, const tls_v3::DownstreamTlsContext& context) {
  in.mutable_filter_chains(0)->mutable_transport_socket()->mutable_typed_config()->PackFrom(
      context);
  return in;
}

tls_v3::DownstreamTlsContext contextOf(const Listener& in) {
  tls_v3::DownstreamTlsContext out;
  EXPECT_TRUE(in.filter_chains(0).transport_socket().typed_config().UnpackTo(&out));
  return out;
}

// ---- accepted ----------------------------------------------------------------------------------

TEST_F(SnapshotCompilerTest, TlsListenerCompilesWithItsContext) {
  SnapshotPtr snapshot = compileOk(setWith(tlsListener("secure")));
  ASSERT_NE(snapshot, nullptr);
  const ListenerConfig* secure = snapshot->listener("secure");
  ASSERT_NE(secure, nullptr);
  ASSERT_NE(secure->tls, nullptr);
  EXPECT_EQ(secure->port, 8443);
  EXPECT_EQ(secure->route_config, "secure");
  EXPECT_NE(secure->routes, nullptr) << "its routes compile like any listener's";
  const tls::ServerContext::SharedPtr context = secure->tls->current();
  ASSERT_EQ(context->certificates().size(), 2u);
  EXPECT_EQ(context->certificates()[0].subject, "CN=a.test");
  EXPECT_EQ(context->certificates()[1].subject, "CN=b.test");
  EXPECT_EQ(secure->tls->settings().min_version, TLS1_2_VERSION);
  EXPECT_EQ(secure->tls->settings().max_version, TLS1_3_VERSION);
  EXPECT_FALSE(secure->tls->settings().require_client_certificate);
  const ListenerConfig* plain = snapshot->listener("public");
  ASSERT_NE(plain, nullptr);
  EXPECT_EQ(plain->tls, nullptr);
}

TEST_F(SnapshotCompilerTest, TlsListenerWithClientCaAndTls13Compiles) {
  model::ListenerTls config = tlsConfig();
  config.min_version = "1.3";
  config.client_ca = pki().ca_file;
  SnapshotPtr snapshot = compileOk(setWith(tlsListener("secure", 8443, config)));
  ASSERT_NE(snapshot, nullptr);
  ASSERT_NE(snapshot->listener("secure"), nullptr);
  const tls::ContextSlot* slot = snapshot->listener("secure")->tls.get();
  ASSERT_NE(slot, nullptr);
  EXPECT_EQ(slot->settings().min_version, TLS1_3_VERSION);
  EXPECT_TRUE(slot->settings().require_client_certificate);
  ASSERT_TRUE(slot->settings().trusted_ca.has_value());
  EXPECT_EQ(slot->settings().trusted_ca->filename, pki().ca_file);
  EXPECT_EQ(slot->current()->clientCaSource(), pki().ca_file);
}

// What portico-cp serves for listeners[].tls compiles: the proxy reads the files it names.
TEST_F(SnapshotCompilerTest, TranslatedTlsListenerCompiles) {
  const xds::ResourceSet set = translateYaml(cat(
      "listeners:\n"
      "  - { name: public, address: 127.0.0.1, port: 8080 }\n"
      "  - name: secure\n"
      "    address: 127.0.0.1\n"
      "    port: 8443\n"
      "    tls:\n"
      "      certificates: [{ cert: ", pki().a.first, ", key: ", pki().a.second, " }]\n"
      "      client_ca: ", pki().ca_file, "\n"));
  SnapshotPtr snapshot = compileOk(set);
  ASSERT_NE(snapshot, nullptr);
  ASSERT_NE(snapshot->listener("secure"), nullptr);
  EXPECT_NE(snapshot->listener("secure")->tls, nullptr);
  ASSERT_NE(snapshot->listener("public"), nullptr);
  EXPECT_EQ(snapshot->listener("public")->tls, nullptr);
}

// The proxy reads the files on its own host: a path it cannot read is refused by name.
TEST_F(SnapshotCompilerTest, TranslatedTlsListenerWithMissingFilesIsRefused) {
  const xds::ResourceSet set = translateYaml(
      "listeners:\n"
      "  - { name: public, address: 127.0.0.1, port: 8080 }\n"
      "  - name: secure\n"
      "    address: 127.0.0.1\n"
      "    port: 8443\n"
      "    tls:\n"
      "      certificates: [{ cert: /nonexistent/a.crt, key: /nonexistent/a.key }]\n");
  EXPECT_EQ(errorOf(set),
            "listener \"secure\": filter_chains[0].transport_socket.typed_config.common_tls_context."
            "tls_certificates[0].certificate_chain: cannot read /nonexistent/a.crt: No such file or "
            "directory");
}

TEST_F(SnapshotCompilerTest, KeyNotMatchingItsCertificateIsRefused) {
  model::ListenerTls config = tlsConfig();
  config.certificates[1].key = pki().a.second;
  EXPECT_EQ(errorOf(setWith(tlsListener("secure", 8443, config))),
            cat("listener \"secure\": filter_chains[0].transport_socket.typed_config."
                "common_tls_context.tls_certificates[1].private_key: ", pki().a.second,
                " does not match the certificate in ", pki().b.first));
}

TEST_F(SnapshotCompilerTest, BadClientCaIsRefused) {
  model::ListenerTls config = tlsConfig();
  config.client_ca = pki().a.second;  // a key, not a certificate
  EXPECT_EQ(errorOf(setWith(tlsListener("secure", 8443, config))),
            cat("listener \"secure\": filter_chains[0].transport_socket.typed_config."
                "common_tls_context.validation_context.trusted_ca: ", pki().a.second,
                ": no PEM certificate found"));
}

// An update that leaves a listener's TLS settings alone keeps its context (session keys, and
// the certificates the reload thread last loaded); changed settings read the files again.
TEST_F(SnapshotCompilerTest, UnchangedTlsSettingsKeepTheContextAcrossSnapshots) {
  tls::ContextRegistry contexts;
  upstream::StateRegistry states;
  auto first = compileSnapshot(setWith(tlsListener("secure")), stats_, &states, nullptr, &contexts);
  ASSERT_TRUE(first.ok()) << first.status();
  xds::ResourceSet next = setWith(tlsListener("secure"));
  add(next, builders::buildRouteConfiguration("secure", {entry("echo", "/echo", "echo"),
                                                         entry("more", "/more", "echo")}));
  auto second = compileSnapshot(next, stats_, &states, nullptr, &contexts);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ((*first)->listener("secure")->tls, (*second)->listener("secure")->tls);

  model::ListenerTls config = tlsConfig();
  config.min_version = "1.3";
  auto third = compileSnapshot(setWith(tlsListener("secure", 8443, config)), stats_, &states, nullptr, &contexts);
  ASSERT_TRUE(third.ok()) << third.status();
  EXPECT_NE((*third)->listener("secure")->tls, (*first)->listener("secure")->tls);
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
  EXPECT_EQ(snapshot->listener("plain")->tls, nullptr);
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
  tls_v3::DownstreamTlsContext context = contextOf(in);
  context.mutable_common_tls_context()->clear_tls_certificates();
  const std::string error = errorOf(setWith(withContext(in, context)));
  EXPECT_EQ(
      error,
      "listener \"secure\": filter_chains[0].transport_socket.typed_config.common_tls_context."
      "tls_certificates: at least one certificate is required (SDS is not supported)");
}

TEST_F(SnapshotCompilerTest, CertificateWithoutChainOrKeyIsRefused) {
  Listener in = tlsListener("secure");
  tls_v3::DownstreamTlsContext context = contextOf(in);
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
  tls_v3::DownstreamTlsContext context = contextOf(in);
  const portico::testing::PemPair pair = pki().ca.issue({"inline.test", "", {"inline.test"}});
  auto* certificate = context.mutable_common_tls_context()->mutable_tls_certificates(0);
  certificate->mutable_certificate_chain()->set_inline_string(pair.certificate);
  certificate->mutable_private_key()->set_inline_bytes(pair.key);
  SnapshotPtr snapshot = compileOk(setWith(withContext(in, context)));
  ASSERT_NE(snapshot, nullptr);
  ASSERT_NE(snapshot->listener("secure")->tls, nullptr);
  EXPECT_EQ(snapshot->listener("secure")->tls->current()->certificates()[0].source, "<inline>");
}

TEST_F(SnapshotCompilerTest, BrokenInlineCertificateIsRefused) {
  Listener in = tlsListener("secure");
  tls_v3::DownstreamTlsContext context = contextOf(in);
  auto* certificate = context.mutable_common_tls_context()->mutable_tls_certificates(0);
  certificate->mutable_certificate_chain()->set_inline_string("-----BEGIN CERTIFICATE-----");
  EXPECT_EQ(errorOf(setWith(withContext(in, context))).rfind(
                "listener \"secure\": filter_chains[0].transport_socket.typed_config."
                "common_tls_context.tls_certificates[0].certificate_chain: <inline>: ", 0),
            0u);
}

TEST_F(SnapshotCompilerTest, RequireClientCertificateWithoutTrustedCaIsRefused) {
  Listener in = tlsListener("secure");
  tls_v3::DownstreamTlsContext context = contextOf(in);
  context.mutable_require_client_certificate()->set_value(true);
  EXPECT_EQ(errorOf(setWith(withContext(in, context))),
            "listener \"secure\": filter_chains[0].transport_socket.typed_config."
            "require_client_certificate: needs common_tls_context.validation_context.trusted_ca");
}

TEST_F(SnapshotCompilerTest, BadProtocolVersionsAreRefused) {
  Listener in = tlsListener("secure");
  tls_v3::DownstreamTlsContext context = contextOf(in);
  auto* params = context.mutable_common_tls_context()->mutable_tls_params();
  params->set_tls_minimum_protocol_version(tls_v3::TlsParameters::TLSv1_3);
  params->set_tls_maximum_protocol_version(tls_v3::TlsParameters::TLSv1_2);
  EXPECT_NE(errorOf(setWith(withContext(in, context)))
                .find("tls_params: minimum protocol version is above the maximum"),
            std::string::npos);

  params->set_tls_maximum_protocol_version(static_cast<tls_v3::TlsParameters::TlsProtocol>(9));
  EXPECT_NE(errorOf(setWith(withContext(in, context)))
                .find("tls_maximum_protocol_version: unknown value 9"),
            std::string::npos);
}

// TLS 1.0 and 1.1 are never negotiated: asking for them is refused, not silently raised.
TEST_F(SnapshotCompilerTest, OldProtocolVersionsAreRefused) {
  Listener in = tlsListener("secure");
  tls_v3::DownstreamTlsContext context = contextOf(in);
  auto* params = context.mutable_common_tls_context()->mutable_tls_params();
  params->set_tls_minimum_protocol_version(tls_v3::TlsParameters::TLSv1_0);
  EXPECT_EQ(errorOf(setWith(withContext(in, context))),
            "listener \"secure\": filter_chains[0].transport_socket.typed_config.common_tls_context."
            "tls_params.tls_minimum_protocol_version: TLSv1_0 is not supported (this proxy "
            "negotiates TLS 1.2 and 1.3 only)");
  params->set_tls_minimum_protocol_version(tls_v3::TlsParameters::TLS_AUTO);
  params->set_tls_maximum_protocol_version(tls_v3::TlsParameters::TLSv1_1);
  EXPECT_NE(errorOf(setWith(withContext(in, context)))
                .find("tls_maximum_protocol_version: TLSv1_1 is not supported"),
            std::string::npos);
  // TLS_AUTO on both ends: 1.2 to 1.3.
  params->set_tls_maximum_protocol_version(tls_v3::TlsParameters::TLS_AUTO);
  SnapshotPtr snapshot = compileOk(setWith(withContext(in, context)));
  ASSERT_NE(snapshot, nullptr);
  EXPECT_EQ(snapshot->listener("secure")->tls->settings().min_version, TLS1_2_VERSION);
  EXPECT_EQ(snapshot->listener("secure")->tls->settings().max_version, TLS1_3_VERSION);
}

TEST_F(SnapshotCompilerTest, AlpnWithoutHttp11IsRefused) {
  Listener in = tlsListener("secure");
  tls_v3::DownstreamTlsContext context = contextOf(in);
  context.mutable_common_tls_context()->clear_alpn_protocols();
  context.mutable_common_tls_context()->add_alpn_protocols("h2");
  EXPECT_EQ(errorOf(setWith(withContext(in, context))),
            "listener \"secure\": filter_chains[0].transport_socket.typed_config.common_tls_context."
            "alpn_protocols: must include \"http/1.1\" (this proxy speaks HTTP/1.1 to clients), "
            "got [h2]");
  context.mutable_common_tls_context()->add_alpn_protocols("http/1.1");
  EXPECT_NE(compileOk(setWith(withContext(in, context))), nullptr) << "h2 listed beside http/1.1";
}

TEST_F(SnapshotCompilerTest, UnknownCipherIsRefused) {
  Listener in = tlsListener("secure");
  tls_v3::DownstreamTlsContext context = contextOf(in);
  context.mutable_common_tls_context()->mutable_tls_params()->add_cipher_suites("NOT-A-CIPHER");
  EXPECT_EQ(errorOf(setWith(withContext(in, context)))
                .rfind("listener \"secure\": filter_chains[0].transport_socket.typed_config."
                       "common_tls_context.tls_params.cipher_suites: no usable cipher in "
                       "\"NOT-A-CIPHER\"",
                       0),
            0u);
}

// A refused TLS listener refuses the whole update, like any other bad resource.
TEST_F(SnapshotCompilerTest, RefusedTlsListenerRefusesTheUpdate) {
  Listener in = tlsListener("secure");
  tls_v3::DownstreamTlsContext context = contextOf(in);
  context.mutable_common_tls_context()->clear_tls_certificates();
  EXPECT_FALSE(compile(setWith(withContext(in, context))).ok());
}

// ---- the ListenerManager opens TLS listeners like any other ----------------------------------

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

class TlsListenerManagerTest : public ::testing::Test {
 protected:
  TlsListenerManagerTest()
      : stats_(registry_), worker_(0, stats_, route_stats_.get("", ""), listener::WorkerLimits{}) {
    worker_.start();
    SnapshotPtr snapshot = compileOk(setWith(tlsListener("secure")));
    EXPECT_NE(snapshot, nullptr);
    slot_ = snapshot->listener("secure")->tls;
  }
  ~TlsListenerManagerTest() override {
    manager_.closeAll();
    worker_.stop();
  }
  SnapshotPtr compileOk(const xds::ResourceSet& set) {
    auto snapshot = compileSnapshot(set, route_stats_);
    EXPECT_TRUE(snapshot.ok()) << snapshot.status();
    return snapshot.ok() ? *snapshot : nullptr;
  }
  ListenerConfig compiled(const std::string& name, uint16_t port, bool is_tls) {
    ListenerConfig out;
    out.name = name;
    out.address = "127.0.0.1";
    out.port = port;
    if (is_tls) out.tls = slot_;
    return out;
  }

  prometheus::Registry registry_;
  router::RouteStatsStore route_stats_{1};
  listener::ProxyStats stats_;
  listener::Worker worker_;
  listener::ListenerManager manager_{{&worker_}};
  std::shared_ptr<tls::ContextSlot> slot_;
};

TEST_F(TlsListenerManagerTest, TlsListenerIsOpenedBesideAPlaintextOne) {
  const uint16_t plain_port = freePort();
  const uint16_t tls_port = freePort();
  auto plan =
      manager_.prepare({compiled("public", plain_port, false), compiled("secure", tls_port, true)});
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->added.count("public"), 1u);
  EXPECT_EQ(plan->added.count("secure"), 1u);
  EXPECT_EQ(plan->tls, std::set<std::string>{"secure"});
  manager_.commit(std::move(*plan));
  bool open = false;
  for (int i = 0; i < 200 && !open; ++i) {
    open = accepting(plain_port) && accepting(tls_port);
    if (!open) ::usleep(5000);
  }
  EXPECT_TRUE(open);
}

// Plaintext ↔ TLS on the same address keeps the sockets: each connection is told which it is
// when it is accepted (from the snapshot), so there is no moment without a listening socket.
TEST_F(TlsListenerManagerTest, SwitchingToTlsKeepsTheSockets) {
  const uint16_t port = freePort();
  auto plan = manager_.prepare({compiled("public", port, false)});
  ASSERT_TRUE(plan.ok()) << plan.status();
  manager_.commit(std::move(*plan));
  auto to_tls = manager_.prepare({compiled("public", port, true)});
  ASSERT_TRUE(to_tls.ok()) << to_tls.status();
  EXPECT_TRUE(to_tls->added.empty());
  EXPECT_TRUE(to_tls->removed.empty());
  manager_.commit(std::move(*to_tls));
}

}  // namespace
}  // namespace portico::dp::config
