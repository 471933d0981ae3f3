// ServerContext: what a TLS listener negotiates (versions, ciphers, SNI, ALPN, client
// certificates), checked by real handshakes in memory; and the errors of bad files, which
// become NACKs, naming the field and the file.

#include "data-plane/tls/server_context.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "data-plane/tls/tls_stats.h"
#include "tests/unit/data-plane/tls/tls_test_util.h"

namespace portico::dp::tls {
namespace {

using testing::ClientHello;
using testing::handshake;
using testing::noStats;
using testing::Pki;
using testing::settingsFor;

class ServerContextTest : public ::testing::Test {
 protected:
  ServerContext::SharedPtr build(const TlsSettings& settings) {
    auto context = ServerContext::create(settings, noStats());
    EXPECT_TRUE(context.ok()) << context.status();
    return context.ok() ? *context : nullptr;
  }
  std::string errorOf(const TlsSettings& settings) {
    auto context = ServerContext::create(settings, noStats());
    return context.ok() ? "ok" : std::string(context.status().message());
  }
  HandshakeFailure failureOf(const testing::Handshake& result) {
    return classifyHandshakeError(result.error, false);
  }
  Pki pki_;
};

// ---- versions and ciphers ------------------------------------------------------------------

TEST_F(ServerContextTest, NegotiatesTls13AndTls12) {
  auto context = build(settingsFor(pki_));
  ASSERT_NE(context, nullptr);
  auto tls13 = handshake(*context, {"a.test"});
  ASSERT_TRUE(tls13.ok) << tls13.error.message();
  EXPECT_EQ(tls13.version, "TLSv1.3");
  auto tls12 = handshake(*context, {"a.test", TLS1_2_VERSION, TLS1_2_VERSION});
  ASSERT_TRUE(tls12.ok) << tls12.error.message();
  EXPECT_EQ(tls12.version, "TLSv1.2");
}

TEST_F(ServerContextTest, RefusesTls11AndTls10) {
  auto context = build(settingsFor(pki_));
  for (int version : {TLS1_1_VERSION, TLS1_VERSION}) {
    auto result = handshake(*context, {"a.test", version, version});
    EXPECT_FALSE(result.ok) << version;
    EXPECT_EQ(failureOf(result), HandshakeFailure::kProtocolVersion) << result.error.message();
  }
}

TEST_F(ServerContextTest, MinimumTls13RefusesTls12) {
  TlsSettings settings = settingsFor(pki_);
  settings.min_version = TLS1_3_VERSION;
  auto context = build(settings);
  auto result = handshake(*context, {"a.test", TLS1_2_VERSION, TLS1_2_VERSION});
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(failureOf(result), HandshakeFailure::kProtocolVersion) << result.error.message();
  EXPECT_TRUE(handshake(*context, {"a.test"}).ok);
}

TEST_F(ServerContextTest, Tls12OffersOnlyForwardSecretAeadCiphers) {
  auto context = build(settingsFor(pki_));
  // A client offering only RSA key exchange or CBC suites finds nothing in common.
  for (const char* ciphers : {"AES128-GCM-SHA256", "ECDHE-ECDSA-AES128-SHA", "AES256-SHA"}) {
    auto result = handshake(*context, {"a.test", TLS1_2_VERSION, TLS1_2_VERSION, {}, nullptr, ciphers});
    EXPECT_FALSE(result.ok) << ciphers;
    EXPECT_EQ(failureOf(result), HandshakeFailure::kNoSharedCipher) << ciphers << ": " << result.error.message();
  }
  EXPECT_TRUE(handshake(*context, {"a.test", TLS1_2_VERSION, TLS1_2_VERSION, {}, nullptr,
                                   "ECDHE-ECDSA-CHACHA20-POLY1305"}).ok);
}

TEST_F(ServerContextTest, ConfiguredCipherListReplacesTheDefault) {
  TlsSettings settings = settingsFor(pki_);
  settings.cipher_list = "ECDHE-ECDSA-AES256-GCM-SHA384";
  auto context = build(settings);
  EXPECT_FALSE(handshake(*context, {"a.test", TLS1_2_VERSION, TLS1_2_VERSION, {}, nullptr,
                                    "ECDHE-ECDSA-AES128-GCM-SHA256"}).ok);
  EXPECT_TRUE(handshake(*context, {"a.test", TLS1_2_VERSION, TLS1_2_VERSION, {}, nullptr,
                                   "ECDHE-ECDSA-AES256-GCM-SHA384"}).ok);
}

TEST_F(ServerContextTest, RsaCertificateServesBothVersions) {
  TlsSettings settings = settingsFor(pki_);
  const auto rsa = portico::testing::writePemPair(
      pki_.dir, "rsa", pki_.ca.issue({"rsa.test", "", {"rsa.test"}, false, 0, 30, /*rsa=*/true}));
  settings.certificates = {testing::source(rsa)};
  auto context = build(settings);
  ASSERT_NE(context, nullptr);
  EXPECT_TRUE(handshake(*context, {"rsa.test"}).ok);
  EXPECT_TRUE(handshake(*context, {"rsa.test", TLS1_2_VERSION, TLS1_2_VERSION, {}, nullptr,
                                   "ECDHE-RSA-AES128-GCM-SHA256"}).ok);
  EXPECT_FALSE(handshake(*context, {"rsa.test", TLS1_2_VERSION, TLS1_2_VERSION, {}, nullptr,
                                    "ECDHE-ECDSA-AES128-GCM-SHA256"}).ok)
      << "an RSA key cannot sign for ECDSA suites";
}

TEST_F(ServerContextTest, UnknownCipherListIsAnError) {
  TlsSettings settings = settingsFor(pki_);
  settings.cipher_list = "NOT-A-CIPHER";
  EXPECT_EQ(errorOf(settings).rfind("tls_params.cipher_suites: no usable cipher in \"NOT-A-CIPHER\"", 0), 0u)
      << errorOf(settings);
}

// ---- SNI ----------------------------------------------------------------------------------

TEST_F(ServerContextTest, SniPicksTheMatchingCertificate) {
  auto context = build(settingsFor(pki_));
  EXPECT_EQ(handshake(*context, {"a.test"}).server_subject, "CN=a.test");
  EXPECT_EQ(handshake(*context, {"b.test"}).server_subject, "CN=b.test");
  EXPECT_EQ(handshake(*context, {"B.Test"}).server_subject, "CN=b.test");
  EXPECT_EQ(handshake(*context, {"x.wild.test"}).server_subject, "CN=wild");
  // TLS 1.2 takes the same path.
  EXPECT_EQ(handshake(*context, {"b.test", TLS1_2_VERSION, TLS1_2_VERSION}).server_subject, "CN=b.test");
}

TEST_F(ServerContextTest, NoOrUnknownServerNameGetsTheFirstCertificate) {
  auto context = build(settingsFor(pki_));
  EXPECT_EQ(handshake(*context, {""}).server_subject, "CN=a.test");
  EXPECT_EQ(handshake(*context, {"unknown.test"}).server_subject, "CN=a.test");
  EXPECT_EQ(handshake(*context, {"deep.x.wild.test"}).server_subject, "CN=a.test");
}

TEST_F(ServerContextTest, RequireSniRefusesClientsWithoutAServerName) {
  TlsSettings settings = settingsFor(pki_);
  settings.require_sni = true;
  auto context = build(settings);
  auto result = handshake(*context, {""});
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(failureOf(result), HandshakeFailure::kSniRequired) << result.error.message();
  EXPECT_TRUE(handshake(*context, {"unknown.test"}).ok) << "any server name will do";
}

TEST_F(ServerContextTest, CertificateInfoForOperators) {
  auto context = build(settingsFor(pki_));
  ASSERT_EQ(context->certificates().size(), 3u);
  const CertificateInfo& first = context->certificates()[0];
  EXPECT_EQ(first.source, pki_.a.first);
  EXPECT_EQ(first.subject, "CN=a.test");
  EXPECT_EQ(first.issuer, "CN=Portico Test CA");
  EXPECT_EQ(first.names, std::vector<std::string>{"a.test"});
  EXPECT_GT(first.not_after, first.not_before);
  EXPECT_FALSE(first.serial.empty());
  EXPECT_EQ(context->certificates()[2].names, std::vector<std::string>{"*.wild.test"});
  EXPECT_EQ(context->files().size(), 6u);
}

// ---- ALPN --------------------------------------------------------------------------------

TEST_F(ServerContextTest, AlpnSelectsHttp11) {
  auto context = build(settingsFor(pki_));
  EXPECT_EQ(handshake(*context, {"a.test", TLS1_2_VERSION, TLS1_3_VERSION, {"h2", "http/1.1"}}).alpn,
            "http/1.1");
  EXPECT_EQ(handshake(*context, {"a.test", TLS1_2_VERSION, TLS1_3_VERSION, {"http/1.1"}}).alpn, "http/1.1");
  auto none = handshake(*context, {"a.test"});
  EXPECT_TRUE(none.ok) << "a client without ALPN is served HTTP/1.1";
  EXPECT_EQ(none.alpn, "");
}

TEST_F(ServerContextTest, AlpnWithoutHttp11IsRefused) {
  auto context = build(settingsFor(pki_));
  auto result = handshake(*context, {"a.test", TLS1_2_VERSION, TLS1_3_VERSION, {"h2"}});
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(failureOf(result), HandshakeFailure::kNoAlpn) << result.error.message();
}

// ---- client certificates -----------------------------------------------------------------

TEST_F(ServerContextTest, RequiredClientCertificate) {
  TlsSettings settings = settingsFor(pki_);
  settings.trusted_ca = PemSource{"validation_context.trusted_ca", pki_.ca_file, ""};
  settings.require_client_certificate = true;
  auto context = build(settings);
  for (int version : {TLS1_2_VERSION, TLS1_3_VERSION}) {
    auto without = handshake(*context, {"a.test", version, version});
    EXPECT_FALSE(without.ok) << version;
    EXPECT_EQ(failureOf(without), HandshakeFailure::kNoClientCertificate) << without.error.message();

    auto stranger = handshake(*context, {"a.test", version, version, {}, &pki_.stranger});
    EXPECT_FALSE(stranger.ok) << version;
    EXPECT_EQ(failureOf(stranger), HandshakeFailure::kBadClientCertificate) << stranger.error.message();

    auto valid = handshake(*context, {"a.test", version, version, {}, &pki_.client});
    ASSERT_TRUE(valid.ok) << version << ": " << valid.error.message();
    EXPECT_EQ(valid.client_subject, "CN=client-1,O=Portico Test");
  }
}

// A certificate issued for servers (extendedKeyUsage serverAuth) is no client certificate.
TEST_F(ServerContextTest, ServerCertificateIsNotAcceptedAsAClientCertificate) {
  TlsSettings settings = settingsFor(pki_);
  settings.trusted_ca = PemSource{"validation_context.trusted_ca", pki_.ca_file, ""};
  settings.require_client_certificate = true;
  auto context = build(settings);
  const portico::testing::PemPair server_cert = pki_.ca.issue({"x.test", "", {"x.test"}, false});
  auto result = handshake(*context, {"a.test", TLS1_2_VERSION, TLS1_3_VERSION, {}, &server_cert});
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(failureOf(result), HandshakeFailure::kBadClientCertificate) << result.error.message();
}

TEST_F(ServerContextTest, OptionalClientCertificateIsVerifiedWhenPresented) {
  TlsSettings settings = settingsFor(pki_);
  settings.trusted_ca = PemSource{"validation_context.trusted_ca", pki_.ca_file, ""};
  auto context = build(settings);
  auto without = handshake(*context, {"a.test"});
  ASSERT_TRUE(without.ok) << without.error.message();
  EXPECT_EQ(without.client_subject, "");
  EXPECT_FALSE(handshake(*context, {"a.test", TLS1_2_VERSION, TLS1_3_VERSION, {}, &pki_.stranger}).ok);
  EXPECT_EQ(handshake(*context, {"a.test", TLS1_2_VERSION, TLS1_3_VERSION, {}, &pki_.client}).client_subject,
            "CN=client-1,O=Portico Test");
}

TEST_F(ServerContextTest, WithoutCaNoClientCertificateIsAskedFor) {
  auto context = build(settingsFor(pki_));
  auto result = handshake(*context, {"a.test", TLS1_2_VERSION, TLS1_3_VERSION, {}, &pki_.client});
  ASSERT_TRUE(result.ok);
  EXPECT_EQ(result.client_subject, "") << "an unverified certificate never becomes an identity";
}

// ---- bad files: the NACK text ----------------------------------------------------------------

TEST_F(ServerContextTest, MissingFileIsNamed) {
  TlsSettings settings = settingsFor(pki_);
  settings.certificates[1].chain.filename = cat(pki_.dir, "/missing.crt");
  EXPECT_EQ(errorOf(settings), cat("tls_certificates[1].certificate_chain: cannot read ", pki_.dir,
                                   "/missing.crt: No such file or directory"));
}

TEST_F(ServerContextTest, GarbageCertificateIsNamed) {
  TlsSettings settings = settingsFor(pki_);
  const std::string path = cat(pki_.dir, "/garbage.crt");
  portico::testing::writeFile(path, "this is not a certificate\n");
  settings.certificates[0].chain.filename = path;
  EXPECT_EQ(errorOf(settings),
            cat("tls_certificates[0].certificate_chain: ", path, ": no PEM certificate found"));
}

TEST_F(ServerContextTest, TruncatedCertificateIsNamed) {
  TlsSettings settings = settingsFor(pki_);
  const std::string path = cat(pki_.dir, "/truncated.crt");
  const std::string pem = pki_.ca.issue({"a.test", "", {"a.test"}}).certificate;
  portico::testing::writeFile(path, pem.substr(0, pem.size() / 2));
  settings.certificates[0].chain.filename = path;
  EXPECT_EQ(errorOf(settings).rfind(cat("tls_certificates[0].certificate_chain: ", path, ": "), 0), 0u)
      << errorOf(settings);
}

TEST_F(ServerContextTest, KeyThatDoesNotMatchItsCertificateIsNamed) {
  TlsSettings settings = settingsFor(pki_);
  settings.certificates[0].key.filename = pki_.b.second;  // b's key with a's certificate
  EXPECT_EQ(errorOf(settings), cat("tls_certificates[0].private_key: ", pki_.b.second,
                                   " does not match the certificate in ", pki_.a.first));
}

TEST_F(ServerContextTest, GarbageKeyIsNamed) {
  TlsSettings settings = settingsFor(pki_);
  const std::string path = cat(pki_.dir, "/garbage.key");
  portico::testing::writeFile(path, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
  settings.certificates[2].key.filename = path;
  EXPECT_EQ(errorOf(settings).rfind(cat("tls_certificates[2].private_key: ", path, ": no usable PEM private key"), 0),
            0u)
      << errorOf(settings);
}

TEST_F(ServerContextTest, BadClientCaIsNamed) {
  TlsSettings settings = settingsFor(pki_);
  settings.trusted_ca = PemSource{"validation_context.trusted_ca", pki_.a.second, ""};  // a key, not a CA
  EXPECT_EQ(errorOf(settings),
            cat("validation_context.trusted_ca: ", pki_.a.second, ": no PEM certificate found"));
  settings.trusted_ca->filename = cat(pki_.dir, "/nope.pem");
  EXPECT_EQ(errorOf(settings), cat("validation_context.trusted_ca: cannot read ", pki_.dir,
                                   "/nope.pem: No such file or directory"));
}

TEST_F(ServerContextTest, InlinePemWorksLikeAFile) {
  TlsSettings settings = settingsFor(pki_);
  const portico::testing::PemPair inline_pair = pki_.ca.issue({"inline.test", "", {"inline.test"}});
  settings.certificates = {CertificateSource{{"chain", "", inline_pair.certificate}, {"key", "", inline_pair.key}}};
  auto context = build(settings);
  ASSERT_NE(context, nullptr);
  EXPECT_EQ(context->certificates()[0].source, "<inline>");
  EXPECT_TRUE(context->files().empty());
  EXPECT_EQ(handshake(*context, {"inline.test"}).server_subject, "CN=inline.test");
}

TEST_F(ServerContextTest, ChainFileWithIntermediatesIsServedWhole) {
  // Leaf then CA in one file: the CA goes out as the chain.
  TlsSettings settings = settingsFor(pki_);
  const std::string path = cat(pki_.dir, "/a-fullchain.crt");
  std::ifstream leaf(pki_.a.first);
  std::stringstream text;
  text << leaf.rdbuf() << pki_.ca.certificatePem();
  portico::testing::writeFile(path, text.str());
  settings.certificates[0].chain.filename = path;
  auto context = build(settings);
  ASSERT_NE(context, nullptr);
  EXPECT_TRUE(handshake(*context, {"a.test"}).ok);
}

}  // namespace
}  // namespace portico::dp::tls
