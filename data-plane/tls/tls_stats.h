#pragma once

// TLS counters, per listener:
//   portico_proxy_tls_handshakes_total{listener, version}         completed handshakes
//   portico_proxy_tls_handshake_errors_total{listener, reason}    failed ones, by HandshakeFailure
//   portico_proxy_tls_reloads_total{listener, result="ok|failed"} certificate reloads on file change
// Handles are resolved once per listener TLS context (on the xDS thread), never per handshake.
// Counters are never removed: a listener that comes back under the same name continues its
// series, and no worker can hold a handle that was freed. (Gauges computed at scrape time are
// in tls_metrics.h.)

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/registry.h>

#include <array>
#include <memory>
#include <string>
#include <string_view>

#include <boost/system/error_code.hpp>

namespace portico::dp::tls {

enum class HandshakeFailure {
  kTimeout,               // the handshake did not finish within the listener's header timeout
  kClosed,                // the client closed or reset the connection mid-handshake
  kProtocolVersion,       // no TLS version in common (TLS 1.0/1.1 clients; 1.2 on a 1.3 listener)
  kNoSharedCipher,        // no cipher, group or signature algorithm in common
  kNoClientCertificate,   // the listener requires one and none was sent
  kBadClientCertificate,  // the client certificate did not verify against the trusted CA
  kNoAlpn,                // the client offered ALPN protocols, none of them http/1.1
  kSniRequired,           // require_sni and the client sent no server name
  kPlaintextHttp,         // an HTTP request arrived on the TLS port
  kPeerAlert,             // the client aborted with an alert (it rejected our certificate, ...)
  kOther,
  kCount,
};
std::string_view handshakeFailureName(HandshakeFailure reason);

// The failure reason of a server handshake that completed with `ec`; `timed_out`: the
// connection's deadline closed it.
HandshakeFailure classifyHandshakeError(const boost::system::error_code& ec, bool timed_out);

// The metric families, registered once per process.
class TlsMetrics {
 public:
  // `registry` null: a private registry owned by this object (tests, tools).
  explicit TlsMetrics(prometheus::Registry* registry);

 private:
  std::unique_ptr<prometheus::Registry> owned_;  // before the families that live in it

 public:
  prometheus::Family<prometheus::Counter>& handshakes;
  prometheus::Family<prometheus::Counter>& handshake_errors;
  prometheus::Family<prometheus::Counter>& reloads;
};

// One listener's handles.
class ListenerTlsStats {
 public:
  // `metrics` is kept alive by the stats (a test's registry may go before its snapshots).
  ListenerTlsStats(std::shared_ptr<TlsMetrics> metrics, const std::string& listener);

  // Any thread.
  void handshakeDone(int ssl_version) const;
  void handshakeFailed(HandshakeFailure reason) const;
  void reloaded(bool ok) const { (ok ? reload_ok_ : reload_failed_)->Increment(); }

 private:
  std::shared_ptr<TlsMetrics> metrics_;
  prometheus::Counter* tls12_;
  prometheus::Counter* tls13_;
  std::array<prometheus::Counter*, static_cast<size_t>(HandshakeFailure::kCount)> failures_;
  prometheus::Counter* reload_ok_;
  prometheus::Counter* reload_failed_;
};

}  // namespace portico::dp::tls
