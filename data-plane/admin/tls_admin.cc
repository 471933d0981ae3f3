#include "data-plane/admin/tls_admin.h"

#include <prometheus/metric_family.h>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <ctime>

#include "absl/time/time.h"
#include "data-plane/tls/context_slot.h"

namespace portico::dp::admin {

namespace json = boost::json;

namespace {

std::string rfc3339(int64_t seconds) {
  return absl::FormatTime(absl::RFC3339_sec, absl::FromUnixSeconds(seconds), absl::UTCTimeZone());
}

std::string_view versionName(int version) { return version == TLS1_3_VERSION ? "TLSv1.3" : "TLSv1.2"; }

json::object listenerJson(const config::ListenerConfig& listener, int64_t now) {
  const tls::ContextSlot& slot = *listener.tls;
  const tls::ServerContext::SharedPtr context = slot.current();
  const tls::TlsSettings& settings = slot.settings();
  json::object out;
  out["listener"] = listener.name;
  json::array certificates;
  for (const tls::CertificateInfo& info : context->certificates()) {
    json::object certificate;
    certificate["source"] = info.source;
    certificate["subject"] = info.subject;
    certificate["issuer"] = info.issuer;
    certificate["serial"] = info.serial;
    json::array names;
    for (const std::string& name : info.names) names.emplace_back(name);
    certificate["names"] = std::move(names);
    certificate["not_before"] = rfc3339(info.not_before);
    certificate["not_after"] = rfc3339(info.not_after);
    certificate["seconds_until_expiry"] = info.not_after - now;
    certificates.push_back(std::move(certificate));
  }
  out["certificates"] = std::move(certificates);
  out["min_version"] = versionName(settings.min_version);
  out["max_version"] = versionName(settings.max_version);
  out["client_ca"] = context->clientCaSource();
  out["require_client_certificate"] = settings.require_client_certificate;
  out["loaded_at"] = rfc3339(context->loadedAt());
  const std::string error = slot.lastError();
  if (!error.empty()) out["reload_error"] = error;
  return out;
}

prometheus::ClientMetric gauge(std::vector<prometheus::ClientMetric::Label> labels, double value) {
  prometheus::ClientMetric metric;
  metric.label = std::move(labels);
  metric.gauge.value = value;
  return metric;
}

}  // namespace

::portico::http::HttpResponse tlsCertificates(const config::SnapshotPtr& snapshot) {
  json::array listeners;
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  if (snapshot) {
    for (const config::ListenerConfig& listener : snapshot->listeners()) {
      if (listener.tls != nullptr) listeners.push_back(listenerJson(listener, now));
    }
  }
  json::object body;
  body["listeners"] = std::move(listeners);
  return ::portico::http::jsonResponse(json::serialize(body));
}

std::vector<prometheus::MetricFamily> TlsCertificateMetrics::Collect() const {
  prometheus::MetricFamily expiry{"portico_proxy_tls_certificate_expiry_seconds",
                                  "When a listener's certificate expires (notAfter), in seconds "
                                  "since the Unix epoch",
                                  prometheus::MetricType::Gauge, {}};
  prometheus::MetricFamily failing{"portico_proxy_tls_certificate_reload_failing",
                                   "1 while a listener's certificate files do not load and the "
                                   "previous certificates keep serving",
                                   prometheus::MetricType::Gauge, {}};
  if (const config::SnapshotPtr snapshot = current_()) {
    for (const config::ListenerConfig& listener : snapshot->listeners()) {
      if (listener.tls == nullptr) continue;
      const tls::ServerContext::SharedPtr context = listener.tls->current();
      for (const tls::CertificateInfo& info : context->certificates()) {
        expiry.metric.push_back(gauge({{"listener", listener.name}, {"certificate", info.source}},
                                      static_cast<double>(info.not_after)));
      }
      failing.metric.push_back(
          gauge({{"listener", listener.name}}, listener.tls->lastError().empty() ? 0 : 1));
    }
  }
  return {std::move(expiry), std::move(failing)};
}

}  // namespace portico::dp::admin
