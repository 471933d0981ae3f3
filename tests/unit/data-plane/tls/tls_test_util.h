#pragma once

// Shared by the TLS unit tests: a temporary PKI on disk, TlsSettings pointing at it, and a TLS
// handshake between an OpenSSL client and a ServerContext in memory (a BIO pair, no sockets),
// so versions, SNI, ALPN and client certificates are checked without the network.

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include <boost/asio/ssl/error.hpp>
#include <boost/system/error_code.hpp>

#include <memory>
#include <string>
#include <vector>

#include "common/strings.h"
#include "data-plane/tls/server_context.h"
#include "data-plane/tls/tls_settings.h"
#include "data-plane/tls/x509_util.h"
#include "tests/support/test_env.h"
#include "tests/support/test_pki.h"

namespace portico::dp::tls::testing {

using portico::testing::PemPair;
using portico::testing::TestCa;

// A CA, certificates for a.test (first), b.test and *.wild.test, a client certificate, all
// written under a fresh temporary directory.
struct Pki {
  Pki() : ca("Portico Test CA"), other_ca("Someone Else's CA") {
    dir = portico::testing::makeTempDir("portico-tls-unit");
    a = portico::testing::writePemPair(dir, "a", ca.issue({"a.test", "", {"a.test"}}));
    b = portico::testing::writePemPair(dir, "b", ca.issue({"b.test", "", {"b.test"}}));
    wild = portico::testing::writePemPair(dir, "wild", ca.issue({"wild", "", {"*.wild.test"}}));
    client = ca.issue({"client-1", "Portico Test", {}, /*client=*/true});
    stranger = other_ca.issue({"stranger", "", {}, /*client=*/true});
    ca_file = cat(dir, "/ca.pem");
    portico::testing::replaceFile(ca_file, ca.certificatePem());
  }
  TestCa ca;
  TestCa other_ca;
  std::string dir;
  std::pair<std::string, std::string> a, b, wild;
  PemPair client, stranger;
  std::string ca_file;
};

inline CertificateSource source(const std::pair<std::string, std::string>& files, int index = 0) {
  CertificateSource out;
  out.chain.field = cat("tls_certificates[", index, "].certificate_chain");
  out.chain.filename = files.first;
  out.key.field = cat("tls_certificates[", index, "].private_key");
  out.key.filename = files.second;
  return out;
}

inline TlsSettings settingsFor(const Pki& pki) {
  TlsSettings settings;
  settings.listener = "secure";
  settings.certificates = {source(pki.a, 0), source(pki.b, 1), source(pki.wild, 2)};
  settings.min_version = TLS1_2_VERSION;
  settings.max_version = TLS1_3_VERSION;
  settings.cipher_field = "tls_params.cipher_suites";
  return settings;
}

struct ClientHello {
  std::string server_name;
  int min_version = TLS1_2_VERSION;
  int max_version = TLS1_3_VERSION;
  std::vector<std::string> alpn;
  const PemPair* certificate = nullptr;
  std::string ciphers;  // TLS 1.2 cipher list; empty: OpenSSL's default
};

struct Handshake {
  bool ok = false;                 // the server completed its handshake
  boost::system::error_code error;  // the server's error otherwise (Asio's form)
  std::string version;
  std::string alpn;
  std::string server_subject;       // the certificate the client received
  std::string client_subject;       // verifiedPeerSubject() on the server
};

inline Handshake handshake(const ServerContext& server, const ClientHello& hello) {
  Handshake out;
  SSL_CTX* client_ctx = SSL_CTX_new(TLS_client_method());
  SSL_CTX_set_security_level(client_ctx, 0);
  SSL_CTX_set_min_proto_version(client_ctx, hello.min_version);
  SSL_CTX_set_max_proto_version(client_ctx, hello.max_version);
  if (!hello.ciphers.empty()) SSL_CTX_set_cipher_list(client_ctx, hello.ciphers.c_str());
  if (hello.certificate != nullptr) {
    BIO* cert_bio = BIO_new_mem_buf(hello.certificate->certificate.data(), -1);
    X509* cert = PEM_read_bio_X509(cert_bio, nullptr, nullptr, nullptr);
    BIO* key_bio = BIO_new_mem_buf(hello.certificate->key.data(), -1);
    EVP_PKEY* key = PEM_read_bio_PrivateKey(key_bio, nullptr, nullptr, nullptr);
    SSL_CTX_use_certificate(client_ctx, cert);
    SSL_CTX_use_PrivateKey(client_ctx, key);
    X509_free(cert);
    EVP_PKEY_free(key);
    BIO_free(cert_bio);
    BIO_free(key_bio);
  }
  SSL* client = SSL_new(client_ctx);
  SSL* srv = SSL_new(server.asioContext().native_handle());
  BIO* client_bio = nullptr;
  BIO* server_bio = nullptr;
  BIO_new_bio_pair(&client_bio, 0, &server_bio, 0);
  SSL_set_bio(client, client_bio, client_bio);
  SSL_set_bio(srv, server_bio, server_bio);
  SSL_set_connect_state(client);
  SSL_set_accept_state(srv);
  if (!hello.server_name.empty()) SSL_set_tlsext_host_name(client, hello.server_name.c_str());
  if (!hello.alpn.empty()) {
    std::string wire;
    for (const std::string& protocol : hello.alpn) {
      wire.push_back(static_cast<char>(protocol.size()));
      wire += protocol;
    }
    SSL_set_alpn_protos(client, reinterpret_cast<const unsigned char*>(wire.data()),
                        static_cast<unsigned int>(wire.size()));
  }
  bool client_done = false;
  bool server_done = false;
  bool failed = false;
  for (int round = 0; round < 50 && !failed && !(client_done && server_done); ++round) {
    if (!client_done) {
      const int rc = SSL_do_handshake(client);
      if (rc == 1) {
        client_done = true;
      } else {
        const int error = SSL_get_error(client, rc);
        ERR_clear_error();
        if (error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE) failed = true;
      }
    }
    if (!server_done) {
      ERR_clear_error();
      const int rc = SSL_do_handshake(srv);
      if (rc == 1) {
        server_done = true;
      } else {
        const int error = SSL_get_error(srv, rc);
        if (error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE) {
          out.error = boost::system::error_code(static_cast<int>(ERR_get_error()),
                                                boost::asio::error::get_ssl_category());
          failed = true;
        }
        ERR_clear_error();
      }
    }
  }
  // TLS 1.3: the client is done before the server has checked the client's certificate; the
  // server's verdict is the one that counts.
  out.ok = server_done;
  if (out.ok) {
    out.version = SSL_get_version(srv);
    const unsigned char* alpn = nullptr;
    unsigned int alpn_length = 0;
    SSL_get0_alpn_selected(srv, &alpn, &alpn_length);
    out.alpn.assign(reinterpret_cast<const char*>(alpn), alpn_length);
    if (X509* peer = SSL_get0_peer_certificate(client)) {
      out.server_subject = nameRfc2253(X509_get_subject_name(peer));
    }
    out.client_subject = verifiedPeerSubject(srv);
  }
  SSL_free(client);
  SSL_free(srv);
  SSL_CTX_free(client_ctx);
  return out;
}

inline std::shared_ptr<const ListenerTlsStats> noStats() {
  static auto metrics = std::make_shared<TlsMetrics>(nullptr);
  return std::make_shared<const ListenerTlsStats>(metrics, "secure");
}

}  // namespace portico::dp::tls::testing
