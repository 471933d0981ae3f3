#include "data-plane/tls/tls_settings.h"

#include <openssl/ssl.h>

#include <algorithm>

#include "absl/strings/str_join.h"
#include "common/strings.h"

namespace portico::dp::tls {

namespace tls_v3 = envoy::extensions::transport_sockets::tls::v3;
using envoy::config::core::v3::DataSource;

namespace {

// Reads a DataSource into `out`; false (with an error) when it is empty.
bool pemSource(const DataSource& source, const std::string& field, PemSource& out,
               std::vector<std::string>& errors) {
  out.field = field;
  switch (source.specifier_case()) {
    case DataSource::kFilename:
      out.filename = source.filename();
      break;
    case DataSource::kInlineBytes:
      out.inline_pem = source.inline_bytes();
      break;
    case DataSource::kInlineString:
      out.inline_pem = source.inline_string();
      break;
    case DataSource::SPECIFIER_NOT_SET:
      break;
  }
  if (out.filename.empty() && out.inline_pem.empty()) {
    errors.push_back(cat(field, ": required"));
    return false;
  }
  return true;
}

// The OpenSSL version for a configured bound; 0 after recording why it is refused.
int protocolVersion(int value, bool minimum, const std::string& field,
                    std::vector<std::string>& errors) {
  switch (value) {
    case tls_v3::TlsParameters::TLS_AUTO:
      return minimum ? TLS1_2_VERSION : TLS1_3_VERSION;
    case tls_v3::TlsParameters::TLSv1_2:
      return TLS1_2_VERSION;
    case tls_v3::TlsParameters::TLSv1_3:
      return TLS1_3_VERSION;
    case tls_v3::TlsParameters::TLSv1_0:
    case tls_v3::TlsParameters::TLSv1_1:
      errors.push_back(cat(field, ": ", tls_v3::TlsParameters::TlsProtocol_Name(value),
                           " is not supported (this proxy negotiates TLS 1.2 and 1.3 only)"));
      return 0;
    default:
      errors.push_back(cat(field, ": unknown value ", value));
      return 0;
  }
}

}  // namespace

std::vector<std::string> TlsSettings::files() const {
  std::vector<std::string> out;
  auto add = [&out](const PemSource& source) {
    if (!source.filename.empty() &&
        std::find(out.begin(), out.end(), source.filename) == out.end()) {
      out.push_back(source.filename);
    }
  };
  for (const CertificateSource& certificate : certificates) {
    add(certificate.chain);
    add(certificate.key);
  }
  if (trusted_ca) add(*trusted_ca);
  return out;
}

TlsSettings compileTlsSettings(const tls_v3::DownstreamTlsContext& context,
                               const std::string& listener, const std::string& where,
                               std::vector<std::string>& errors) {
  TlsSettings out;
  out.listener = listener;
  const tls_v3::CommonTlsContext& common = context.common_tls_context();
  const std::string cwhere = cat(where, ".common_tls_context");
  if (common.tls_certificates_size() == 0) {
    errors.push_back(cat(cwhere, ".tls_certificates: at least one certificate is required (SDS "
                                 "is not supported)"));
  }
  for (int i = 0; i < common.tls_certificates_size(); ++i) {
    const tls_v3::TlsCertificate& certificate = common.tls_certificates(i);
    const std::string field = cat(cwhere, ".tls_certificates[", i, "]");
    CertificateSource source;
    const bool chain = pemSource(certificate.certificate_chain(), cat(field, ".certificate_chain"),
                                 source.chain, errors);
    const bool key =
        pemSource(certificate.private_key(), cat(field, ".private_key"), source.key, errors);
    if (chain && key) out.certificates.push_back(std::move(source));
  }

  const tls_v3::TlsParameters& params = common.tls_params();
  const std::string pwhere = cat(cwhere, ".tls_params");
  out.min_version = protocolVersion(params.tls_minimum_protocol_version(), true,
                                    cat(pwhere, ".tls_minimum_protocol_version"), errors);
  out.max_version = protocolVersion(params.tls_maximum_protocol_version(), false,
                                    cat(pwhere, ".tls_maximum_protocol_version"), errors);
  if (out.min_version != 0 && out.max_version != 0 && out.min_version > out.max_version) {
    errors.push_back(cat(pwhere, ": minimum protocol version is above the maximum"));
  }
  out.cipher_field = cat(pwhere, ".cipher_suites");
  if (params.cipher_suites_size() > 0) {
    out.cipher_list = absl::StrJoin(params.cipher_suites(), ":");
  }

  if (common.alpn_protocols_size() > 0 &&
      std::find(common.alpn_protocols().begin(), common.alpn_protocols().end(), "http/1.1") ==
          common.alpn_protocols().end()) {
    errors.push_back(cat(cwhere, ".alpn_protocols: must include \"http/1.1\" (this proxy speaks "
                                 "HTTP/1.1 to clients), got [",
                         absl::StrJoin(common.alpn_protocols(), ", "), "]"));
  }

  // A validation_context without a trusted_ca verifies nothing (Envoy): no CA, no request for
  // a client certificate.
  const DataSource& trusted_ca = common.validation_context().trusted_ca();
  if (common.has_validation_context() &&
      trusted_ca.specifier_case() != DataSource::SPECIFIER_NOT_SET) {
    PemSource ca;
    if (pemSource(trusted_ca, cat(cwhere, ".validation_context.trusted_ca"), ca, errors)) {
      out.trusted_ca = std::move(ca);
    }
  }
  out.require_client_certificate = context.require_client_certificate().value();
  if (out.require_client_certificate && !out.trusted_ca) {
    errors.push_back(cat(where, ".require_client_certificate: needs "
                                "common_tls_context.validation_context.trusted_ca"));
  }
  out.require_sni = context.require_sni().value();
  return out;
}

}  // namespace portico::dp::tls
