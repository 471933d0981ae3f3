#pragma once

// What an operator asks about the proxy's TLS certificates, from the current snapshot's TLS
// listeners and the context each one serves right now (reloads included):
// - GET /certs (Envoy's admin /certs, in Portico's JSON): per listener, every certificate's
//   file, subject, issuer, serial, SNI names, validity and seconds until expiry; the client CA
//   file; when the context was loaded; and the last reload error while the files on disk fail
//   to load (the previous certificates are then still serving).
// - Gauges computed at scrape time, so they never outlive a listener:
//   portico_proxy_tls_certificate_expiry_seconds{listener, certificate}  notAfter, Unix seconds
//   portico_proxy_tls_certificate_reload_failing{listener}  1 while the files on disk do not load
//
// Threading: the admin thread; reads immutable contexts and the slots' mutex-guarded state.

#include <prometheus/collectable.h>

#include <functional>
#include <vector>

#include "common/http/http_types.h"
#include "data-plane/config/snapshot.h"

namespace portico::dp::admin {

::portico::http::HttpResponse tlsCertificates(const config::SnapshotPtr& snapshot);

class TlsCertificateMetrics : public prometheus::Collectable {
 public:
  explicit TlsCertificateMetrics(std::function<config::SnapshotPtr()> current)
      : current_(std::move(current)) {}
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  std::function<config::SnapshotPtr()> current_;
};

}  // namespace portico::dp::admin
