#pragma once

// A listener's TLS termination settings, compiled from Envoy's DownstreamTlsContext: validated
// field by field (every problem named by its field path, for the NACK), with Portico's defaults
// filled in. Nothing is read from disk here: server_context.h reads the PEM sources.
//
// What is accepted:
// - tls_certificates: one or more, each a certificate_chain and a private_key as a file name
//   (read by the proxy, watched for changes) or inline PEM. Several: chosen by SNI
//   (sni_matcher.h). SDS is not supported.
// - tls_params: TLS 1.2 and 1.3 only. TLS_AUTO means 1.2 minimum, 1.3 maximum; a minimum or
//   maximum of TLS 1.0/1.1 is refused (those versions are never negotiated). cipher_suites
//   replaces the TLS 1.2 cipher list (OpenSSL names); TLS 1.3 keeps OpenSSL's AEAD suites.
// - alpn_protocols: the proxy speaks HTTP/1.1 to clients, so it only ever negotiates
//   "http/1.1"; a list that does not contain it is refused. Empty means the same.
// - validation_context.trusted_ca + require_client_certificate: Envoy's semantics. With a CA and
//   require_client_certificate, a client without a certificate the CA verifies is refused in
//   the handshake; with a CA alone, a certificate is asked for and verified when presented,
//   and a client without one is let in. require_client_certificate without a CA is refused.
// - require_sni: a client that sends no server name is refused.
//
// Threading: built on the xDS thread; immutable afterwards.

#include <optional>
#include <string>
#include <vector>

#include "envoy/extensions/transport_sockets/tls/v3/tls.pb.h"

namespace portico::dp::tls {

// Mozilla's "intermediate" TLS 1.2 suites: forward-secret ECDHE key exchange, AEAD ciphers only.
inline constexpr char kDefaultCipherList[] =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

// One PEM input: a file the proxy reads (and watches), or inline text from the config.
struct PemSource {
  std::string field;     // its full field path, for errors ("listener \"x\": ....private_key")
  std::string filename;  // non-empty: read from this file
  std::string inline_pem;
  // The file name, or "<inline>".
  std::string describe() const { return filename.empty() ? "<inline>" : filename; }
};

struct CertificateSource {
  PemSource chain;  // leaf first, then its intermediates
  PemSource key;
};

struct TlsSettings {
  std::string listener;  // the listener's name (metrics, session id context)
  std::vector<CertificateSource> certificates;
  std::optional<PemSource> trusted_ca;
  bool require_client_certificate = false;
  bool require_sni = false;
  int min_version = 0;  // OpenSSL TLS1_2_VERSION / TLS1_3_VERSION
  int max_version = 0;
  std::string cipher_list = kDefaultCipherList;
  std::string cipher_field;  // field path of tls_params.cipher_suites, for errors

  // The files to watch for changes (each once).
  std::vector<std::string> files() const;
};

// Compiles `context`; appends one message per problem to `errors`, each starting with `where`
// (the typed_config's field path). The result is only meaningful when nothing was appended.
TlsSettings compileTlsSettings(
    const envoy::extensions::transport_sockets::tls::v3::DownstreamTlsContext& context,
    const std::string& listener, const std::string& where, std::vector<std::string>& errors);

}  // namespace portico::dp::tls
