// listeners[].tls → the filter chain's transport_socket: Envoy's TLS socket with a
// DownstreamTlsContext (certificates as proxy-side file names, minimum version, ALPN, client CA).

#include <gtest/gtest.h>

#include <string>

#include "envoy/extensions/transport_sockets/tls/v3/tls.pb.h"
#include "tests/unit/control-plane/translator/translator_test_util.h"

namespace portico::cp::translator::test {
namespace {

namespace tls = envoy::extensions::transport_sockets::tls::v3;

constexpr char kTlsListeners[] =
    "listeners:\n"
    "  - { name: public, address: 127.0.0.1, port: 8080 }\n"
    "  - name: secure\n"
    "    port: 8443\n"
    "    tls:\n"
    "      certificates:\n"
    "        - { cert: /etc/portico/tls/api.crt, key: /etc/portico/tls/api.key }\n"
    "        - { cert: /etc/portico/tls/admin.crt, key: /etc/portico/tls/admin.key }\n"
    "  - name: strict\n"
    "    port: 9443\n"
    "    tls:\n"
    "      certificates: [{ cert: /tls/s.crt, key: /tls/s.key }]\n"
    "      min_version: \"1.3\"\n"
    "      client_ca: /tls/clients.pem\n";

tls::DownstreamTlsContext tlsContextOf(const Listener& listener) {
  tls::DownstreamTlsContext context;
  if (listener.filter_chains_size() != 1 || !listener.filter_chains(0).has_transport_socket()) {
    ADD_FAILURE() << "listener " << listener.name() << " has no transport socket";
    return context;
  }
  const auto& socket = listener.filter_chains(0).transport_socket();
  EXPECT_EQ(socket.name(), "envoy.transport_sockets.tls");
  EXPECT_EQ(socket.typed_config().type_url(),
            "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext");
  EXPECT_EQ(socket.typed_config().type_url(), portico::xds::kDownstreamTlsContextType);
  EXPECT_TRUE(socket.typed_config().UnpackTo(&context));
  return context;
}

TEST(TlsTranslationTest, PlaintextListenerHasNoTransportSocket) {
  const xds::SnapshotPtr snapshot = snapshotOf(kTlsListeners);
  const Listener listener = listenerOf(snapshot, "public");
  ASSERT_EQ(listener.filter_chains_size(), 1);
  EXPECT_FALSE(listener.filter_chains(0).has_transport_socket());
}

TEST(TlsTranslationTest, EveryCertificateInOneContextWithDefaults) {
  const xds::SnapshotPtr snapshot = snapshotOf(kTlsListeners);
  const Listener listener = listenerOf(snapshot, "secure");
  EXPECT_EQ(listener.address().socket_address().port_value(), 8443u);
  const tls::DownstreamTlsContext context = tlsContextOf(listener);
  const tls::CommonTlsContext& common = context.common_tls_context();
  // Selection by SNI happens inside one context: both certificates, in file order.
  ASSERT_EQ(common.tls_certificates_size(), 2);
  EXPECT_EQ(common.tls_certificates(0).certificate_chain().filename(), "/etc/portico/tls/api.crt");
  EXPECT_EQ(common.tls_certificates(0).private_key().filename(), "/etc/portico/tls/api.key");
  EXPECT_EQ(common.tls_certificates(1).certificate_chain().filename(),
            "/etc/portico/tls/admin.crt");
  EXPECT_EQ(common.tls_certificates(1).private_key().filename(), "/etc/portico/tls/admin.key");
  // min_version defaults to 1.2; the maximum is left to the implementation.
  EXPECT_EQ(common.tls_params().tls_minimum_protocol_version(), tls::TlsParameters::TLSv1_2);
  EXPECT_EQ(common.tls_params().tls_maximum_protocol_version(), tls::TlsParameters::TLS_AUTO);
  ASSERT_EQ(common.alpn_protocols_size(), 1);
  EXPECT_EQ(common.alpn_protocols(0), "http/1.1");
  // No client_ca: no client certificates asked for.
  EXPECT_FALSE(common.has_validation_context());
  EXPECT_FALSE(context.has_require_client_certificate());
  // The HCM is the same as on a plaintext listener.
  const HttpConnectionManager hcm = hcmOf(listener);
  EXPECT_EQ(hcm.rds().route_config_name(), "secure");
}

TEST(TlsTranslationTest, MinVersionAndClientCa) {
  const xds::SnapshotPtr snapshot = snapshotOf(kTlsListeners);
  const tls::DownstreamTlsContext context = tlsContextOf(listenerOf(snapshot, "strict"));
  const tls::CommonTlsContext& common = context.common_tls_context();
  EXPECT_EQ(common.tls_params().tls_minimum_protocol_version(), tls::TlsParameters::TLSv1_3);
  ASSERT_EQ(common.tls_certificates_size(), 1);
  EXPECT_EQ(common.tls_certificates(0).certificate_chain().filename(), "/tls/s.crt");
  ASSERT_TRUE(common.has_validation_context());
  EXPECT_EQ(common.validation_context().trusted_ca().filename(), "/tls/clients.pem");
  ASSERT_TRUE(context.has_require_client_certificate());
  EXPECT_TRUE(context.require_client_certificate().value());
  EXPECT_FALSE(context.has_require_sni());
}

TEST(TlsTranslationTest, TlsListenerIsDeterministic) {
  const xds::SnapshotPtr a = snapshotOf(kTlsListeners);
  const xds::SnapshotPtr b = snapshotOf(kTlsListeners);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  const xds::ResourcePtr ra = a->find(ResourceType::kListener, "strict");
  const xds::ResourcePtr rb = b->find(ResourceType::kListener, "strict");
  ASSERT_NE(ra, nullptr);
  ASSERT_NE(rb, nullptr);
  EXPECT_EQ(ra->version, rb->version);
  EXPECT_EQ(ra->body.SerializeAsString(), rb->body.SerializeAsString());
  // A different certificate path is a different listener version.
  std::string changed = kTlsListeners;
  changed.replace(changed.find("/tls/s.crt"), 10, "/tls/t.crt");
  const xds::ResourcePtr rc = snapshotOf(changed)->find(ResourceType::kListener, "strict");
  ASSERT_NE(rc, nullptr);
  EXPECT_NE(ra->version, rc->version);
}

// What would only be NACKed by every proxy is refused by the validator instead.
TEST(TlsTranslationTest, ValidatorRefusesTlsWithoutUsableCertificates) {
  for (const char* tls : {"{ certificates: [] }", "{ certificates: [{ cert: '', key: /k }] }",
                          "{ certificates: [{ cert: /c, key: '' }] }"}) {
    const std::string yaml =
        std::string("listeners:\n  - { name: s, port: 8443, tls: ") + tls + " }\n";
    auto parsed = model::parseConfig(yaml, "portico.yaml");
    EXPECT_FALSE(parsed.ok()) << yaml;
    if (!parsed.ok()) {
      EXPECT_NE(std::string(parsed.status().message()).find("listeners[0].tls.certificates"),
                std::string::npos)
          << parsed.status();
    }
  }
}

}  // namespace
}  // namespace portico::cp::translator::test
