#pragma once

// One listener's TLS server context: an OpenSSL SSL_CTX (through asio::ssl::context) built from
// TlsSettings, with every certificate, key and CA read and checked first. Built on the xDS
// thread when a snapshot brings new TLS settings, and on the reload thread when the files
// change; immutable afterwards, shared read-only by every worker (each connection's SSL object
// is created from it and keeps it alive through a shared_ptr).
//
// What it sets up:
// - TLS 1.2 and/or 1.3 (settings.min_version..max_version); never 1.0/1.1, SSLv3, compression
//   or renegotiation.
// - TLS 1.2 ciphers: settings.cipher_list (default ECDHE + AEAD only); TLS 1.3: OpenSSL's
//   AES-GCM and ChaCha20-Poly1305 suites. Key exchange groups X25519, P-256, P-384.
// - Several certificates: the server name callback picks one with SniMatcher (exact name, then
//   wildcard, else the first certificate); require_sni refuses clients without a server name.
// - ALPN: "http/1.1" when the client offers it; a client that offers ALPN without http/1.1
//   (an h2-only client) is refused with the no_application_protocol alert (RFC 7301 §3.2, what
//   Envoy does), since this proxy could not speak what it asks for. No ALPN: accepted.
// - Client certificates: trusted_ca → verified against it (depth ≤ 10); required when
//   require_client_certificate (see tls_settings.h). The CA's subjects are sent as the
//   acceptable issuers.
// - Session resumption: stateless tickets (TLS 1.2 and 1.3) and a server-side session cache
//   (TLS 1.2 without tickets), 5 minute lifetime. Keys are per context: a reload or a settings
//   change starts fresh, so a resumed session never outlives the certificates or the client
//   CA it was verified under.
//
// Errors name the field and the file: "<field>: cannot read /etc/tls/a.crt: No such file or
// directory", "<field>: /etc/tls/a.key does not match the certificate in /etc/tls/a.crt".

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <boost/asio/ssl/context.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "data-plane/tls/pem_file.h"
#include "data-plane/tls/sni_matcher.h"
#include "data-plane/tls/tls_settings.h"
#include "data-plane/tls/tls_stats.h"

namespace portico::dp::tls {

// What an operator wants to know about a loaded certificate (admin /certs, expiry metric).
struct CertificateInfo {
  std::string source;  // the chain's file name, or "<inline>"
  std::string subject;  // RFC 2253
  std::string issuer;
  std::string serial;   // hex
  std::vector<std::string> names;  // what SNI matches: DNS SANs, else the CN
  int64_t not_before = 0;  // seconds since the epoch
  int64_t not_after = 0;
};

class ServerContext {
 public:
  using SharedPtr = std::shared_ptr<const ServerContext>;

  // Reads every PEM source and builds the context. `stats` goes with the context so that each
  // connection's handshake is counted on its listener.
  static absl::StatusOr<SharedPtr> create(const TlsSettings& settings,
                                          std::shared_ptr<const ListenerTlsStats> stats);
  ~ServerContext();
  ServerContext(const ServerContext&) = delete;
  ServerContext& operator=(const ServerContext&) = delete;

  // For asio::ssl::stream's constructor, which takes a non-const reference; the stream only
  // creates an SSL object from it (SSL_new is safe on a shared SSL_CTX).
  boost::asio::ssl::context& asioContext() const { return context_; }
  const ListenerTlsStats& stats() const { return *stats_; }
  const std::vector<CertificateInfo>& certificates() const { return infos_; }
  // The certificate index SNI selects for `server_name` (-1: none, the first serves).
  int certificateFor(std::string_view server_name) const { return sni_.find(server_name); }
  // The watched files as they were just before they were read.
  const std::vector<FileStamp>& files() const { return files_; }
  // When it was built (seconds since the epoch).
  int64_t loadedAt() const { return loaded_at_; }
  const std::string& clientCaSource() const { return client_ca_source_; }

 private:
  struct Certificate {
    X509* leaf = nullptr;
    EVP_PKEY* key = nullptr;
    STACK_OF(X509)* chain = nullptr;  // intermediates; may be null
  };
  ServerContext();
  absl::Status loadCertificates(const TlsSettings& settings);
  absl::Status loadClientCa(const TlsSettings& settings);
  absl::Status configure(const TlsSettings& settings);
  static int onServerName(SSL* ssl, int* alert, void* arg);

  mutable boost::asio::ssl::context context_;
  std::vector<Certificate> certificates_;
  std::vector<CertificateInfo> infos_;
  SniMatcher sni_;
  bool require_sni_ = false;
  std::vector<FileStamp> files_;
  int64_t loaded_at_ = 0;
  std::string client_ca_source_;
  std::shared_ptr<const ListenerTlsStats> stats_;
};

}  // namespace portico::dp::tls
