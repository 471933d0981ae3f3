#include "data-plane/tls/tls_stats.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>

namespace portico::dp::tls {

std::string_view handshakeFailureName(HandshakeFailure reason) {
  switch (reason) {
    case HandshakeFailure::kTimeout: return "timeout";
    case HandshakeFailure::kClosed: return "closed";
    case HandshakeFailure::kProtocolVersion: return "protocol_version";
    case HandshakeFailure::kNoSharedCipher: return "no_shared_cipher";
    case HandshakeFailure::kNoClientCertificate: return "no_client_certificate";
    case HandshakeFailure::kBadClientCertificate: return "bad_client_certificate";
    case HandshakeFailure::kNoAlpn: return "no_alpn";
    case HandshakeFailure::kSniRequired: return "sni_required";
    case HandshakeFailure::kPlaintextHttp: return "plaintext_http";
    case HandshakeFailure::kPeerAlert: return "peer_alert";
    case HandshakeFailure::kOther:
    case HandshakeFailure::kCount: break;
  }
  return "other";
}

HandshakeFailure classifyHandshakeError(const boost::system::error_code& ec, bool timed_out) {
  namespace asio = boost::asio;
  if (timed_out) return HandshakeFailure::kTimeout;
  if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated ||
      ec == asio::error::connection_reset || ec == asio::error::operation_aborted ||
      ec == asio::error::broken_pipe || ec == asio::ssl::error::unspecified_system_error) {
    return HandshakeFailure::kClosed;
  }
  if (ec.category() != asio::error::get_ssl_category()) return HandshakeFailure::kOther;
  const int reason = ERR_GET_REASON(static_cast<unsigned long>(ec.value()));
  switch (reason) {
    case SSL_R_UNSUPPORTED_PROTOCOL:
    case SSL_R_WRONG_VERSION_NUMBER:
    case SSL_R_VERSION_TOO_LOW:
    case SSL_R_TLSV1_ALERT_PROTOCOL_VERSION:
      return HandshakeFailure::kProtocolVersion;
    case SSL_R_NO_SHARED_CIPHER:
    case SSL_R_NO_SHARED_GROUPS:
    case SSL_R_NO_SUITABLE_SIGNATURE_ALGORITHM:
    case SSL_R_NO_SHARED_SIGNATURE_ALGORITHMS:
      return HandshakeFailure::kNoSharedCipher;
    case SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE:
      return HandshakeFailure::kNoClientCertificate;
    case SSL_R_CERTIFICATE_VERIFY_FAILED:
      return HandshakeFailure::kBadClientCertificate;
    case SSL_R_NO_APPLICATION_PROTOCOL:
      return HandshakeFailure::kNoAlpn;
    case SSL_R_CALLBACK_FAILED:  // only the server name callback fails a handshake (require_sni)
      return HandshakeFailure::kSniRequired;
    case SSL_R_HTTP_REQUEST:
    case SSL_R_HTTPS_PROXY_REQUEST:
      return HandshakeFailure::kPlaintextHttp;
    default:
      break;
  }
  // Alerts the peer sent are reported as SSL_AD_REASON_OFFSET + the alert number.
  if (reason >= SSL_AD_REASON_OFFSET) return HandshakeFailure::kPeerAlert;
  return HandshakeFailure::kOther;
}

namespace {
prometheus::Registry& registryOr(std::unique_ptr<prometheus::Registry>& owned,
                                 prometheus::Registry* registry) {
  if (registry != nullptr) return *registry;
  if (!owned) owned = std::make_unique<prometheus::Registry>();
  return *owned;
}
}  // namespace

TlsMetrics::TlsMetrics(prometheus::Registry* registry_or_null)
    : owned_(),
      handshakes(prometheus::BuildCounter()
                     .Name("portico_proxy_tls_handshakes_total")
                     .Help("TLS handshakes completed on a listener, by protocol version")
                     .Register(registryOr(owned_, registry_or_null))),
      handshake_errors(prometheus::BuildCounter()
                           .Name("portico_proxy_tls_handshake_errors_total")
                           .Help("TLS handshakes that failed on a listener, by reason")
                           .Register(registryOr(owned_, registry_or_null))),
      reloads(prometheus::BuildCounter()
                  .Name("portico_proxy_tls_reloads_total")
                  .Help("Certificate reloads after a file changed: ok, or failed (the previous "
                        "certificates keep serving)")
                  .Register(registryOr(owned_, registry_or_null))) {}

ListenerTlsStats::ListenerTlsStats(std::shared_ptr<TlsMetrics> metrics, const std::string& listener)
    : metrics_(std::move(metrics)) {
  tls12_ = &metrics_->handshakes.Add({{"listener", listener}, {"version", "TLSv1.2"}});
  tls13_ = &metrics_->handshakes.Add({{"listener", listener}, {"version", "TLSv1.3"}});
  for (size_t i = 0; i < failures_.size(); ++i) {
    failures_[i] = &metrics_->handshake_errors.Add(
        {{"listener", listener},
         {"reason", std::string(handshakeFailureName(static_cast<HandshakeFailure>(i)))}});
  }
  reload_ok_ = &metrics_->reloads.Add({{"listener", listener}, {"result", "ok"}});
  reload_failed_ = &metrics_->reloads.Add({{"listener", listener}, {"result", "failed"}});
}

void ListenerTlsStats::handshakeDone(int ssl_version) const {
  (ssl_version == TLS1_3_VERSION ? tls13_ : tls12_)->Increment();
}

void ListenerTlsStats::handshakeFailed(HandshakeFailure reason) const {
  failures_[static_cast<size_t>(reason)]->Increment();
}

}  // namespace portico::dp::tls
