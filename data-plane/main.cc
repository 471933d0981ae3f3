// portico-proxy: the stateless data plane. An ADS client on the main side applies xDS updates as
// immutable snapshots; N workers (one io_context and SO_REUSEPORT acceptor per listener each)
// serve HTTP/1.1 traffic; an admin server on its own port serves /ready, /metrics, /config_dump.

#include <signal.h>
#include <unistd.h>

#include <prometheus/registry.h>

#include <atomic>
#include <memory>
#include <random>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/http/admin_server.h"
#include "common/logging.h"
#include "common/metrics/exposition.h"
#include "common/metrics/sharded_metrics.h"
#include "data-plane/http/filter_replies.h"
#include "data-plane/admin/endpoint_health_metrics.h"
#include "data-plane/admin/proxy_admin.h"
#include "data-plane/admin/tls_admin.h"
#include "data-plane/config/snapshot_publisher.h"
#include "data-plane/filters/cache/response_cache.h"
#include "data-plane/redis/client.h"
#include "data-plane/filters/jwt_authn/jwks_registry.h"
#include "data-plane/listener/proxy_stats.h"
#include "data-plane/listener/worker.h"
#include "data-plane/tls/certificate_watcher.h"
#include "data-plane/upstream/cluster_metrics.h"
#include "data-plane/upstream/health/health_checker.h"
#include "data-plane/upstream/lb/lb_stats.h"
#include "data-plane/xds/ads_client.h"
#include "data-plane/xds/channel_credentials.h"

ABSL_FLAG(std::string, xds, "127.0.0.1:18000", "host:port of portico-cp's ADS server");
ABSL_FLAG(std::string, xds_protocol, "delta",
          "ADS variant: delta (DeltaAggregatedResources, incremental) or sotw "
          "(StreamAggregatedResources, state of the world)");
ABSL_FLAG(std::string, xds_tls_ca, "",
          "PEM CA bundle that signs portico-cp's gRPC certificate: connect with TLS and verify it "
          "(empty: plaintext)");
ABSL_FLAG(std::string, xds_tls_cert, "",
          "PEM client certificate chain presented to portico-cp (needed when it runs with "
          "--grpc_client_ca); with --xds_tls_key and --xds_tls_ca");
ABSL_FLAG(std::string, xds_tls_key, "", "PEM private key of --xds_tls_cert");
ABSL_FLAG(std::string, xds_tls_server_name, "",
          "Name to verify in portico-cp's certificate instead of the --xds host (when the "
          "certificate does not list the address dialed)");
ABSL_FLAG(std::string, node_id, "", "Node id reported to the control plane (default: hostname-pid)");
ABSL_FLAG(std::string, group, "default", "Gateway group (node.cluster): selects the snapshot served");
ABSL_FLAG(std::string, zone, "",
          "This proxy's zone: sent to the control plane as node.locality.zone, and preferred by "
          "zone-aware clusters (see docs/load-balancing.md)");
ABSL_FLAG(int, workers, 0, "Worker threads (default: hardware threads)");
ABSL_FLAG(std::string, admin_address, "0.0.0.0", "Admin server address");
ABSL_FLAG(int, admin_port, 9901, "Admin server port (/ready, /metrics, /config_dump)");
ABSL_FLAG(std::string, log_level, "info", "debug | info | warning | error");
ABSL_FLAG(absl::Duration, xds_backoff_max, absl::Seconds(10), "Longest wait between reconnects to the control plane");
// Defaults for what a listener's xDS configuration leaves unset (portico-cp always sets them
// from portico.yaml's listeners[].http; see docs/http-hardening.md).
ABSL_FLAG(int64_t, max_request_body_bytes, 16 << 20,
          "Default body limit: larger request bodies are refused with 413");
ABSL_FLAG(int64_t, max_request_header_bytes, 64 << 10,
          "Default head limit (request line + headers): larger heads are refused with 431");
ABSL_FLAG(int32_t, max_request_headers_count, 100,
          "Default header count limit: more header fields are refused with 431");
ABSL_FLAG(int32_t, max_request_line_bytes, 16 << 10,
          "Default request line limit: longer request lines are refused with 414");
ABSL_FLAG(absl::Duration, request_header_timeout, absl::Seconds(30),
          "Default time for a request's whole head to arrive (from the connection's accept, or "
          "the request's first byte), else 408 and close; 0 disables");
ABSL_FLAG(absl::Duration, idle_timeout, absl::Seconds(60),
          "Default time a kept-alive connection waits for its next request (and any body read "
          "waits); 0 disables");
ABSL_FLAG(absl::Duration, tls_reload_interval, absl::Seconds(2),
          "How often TLS listeners' certificate, key and CA files are checked for changes (a "
          "change is loaded once it has held still for one interval); 0 disables reloading");
ABSL_FLAG(absl::Duration, jwks_min_refetch_interval, absl::Seconds(10),
          "Shortest time between two fetches of one remote JWKS caused by tokens naming an unknown key id");
ABSL_FLAG(absl::Duration, drain_timeout, absl::Seconds(20),
          "On SIGTERM/SIGINT: stop accepting, let requests in flight finish for at most this long, "
          "then exit (a second signal exits at once)");
ABSL_FLAG(bool, io_uring_writes, true,
          "Send each worker's plain-TCP writes of one event-loop turn with one io_uring_enter() "
          "(fewer wakeups of clients and backends on the proxy's CPU); false, or io_uring "
          "unavailable: one sendmsg per write. The metric portico_proxy_io_uring_writes says which");

namespace {

using namespace portico;  // NOLINT(google-build-using-namespace): main only

std::string defaultNodeId() {
  char host[256] = {};
  gethostname(host, sizeof(host) - 1);
  return cat(host, "-", getpid());
}

std::chrono::milliseconds toMillis(absl::Duration d) {
  return std::chrono::milliseconds(absl::ToInt64Milliseconds(d));
}

// The HTTP defaults from the flags, checked: a bad flag stops the proxy at start-up.
absl::StatusOr<dp::listener::WorkerLimits> workerLimits() {
  dp::listener::WorkerLimits limits;
  const int64_t body = absl::GetFlag(FLAGS_max_request_body_bytes);
  const int64_t head = absl::GetFlag(FLAGS_max_request_header_bytes);
  const int32_t count = absl::GetFlag(FLAGS_max_request_headers_count);
  const int32_t line = absl::GetFlag(FLAGS_max_request_line_bytes);
  const absl::Duration header_timeout = absl::GetFlag(FLAGS_request_header_timeout);
  const absl::Duration idle_timeout = absl::GetFlag(FLAGS_idle_timeout);
  if (body < 0 || head < 1 || head > (int64_t{8192} << 10) || count < 1 || line < 1 ||
      header_timeout < absl::ZeroDuration() || idle_timeout < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "--max_request_body_bytes must be >= 0, --max_request_header_bytes 1..8388608, "
        "--max_request_headers_count and --max_request_line_bytes >= 1, timeouts >= 0");
  }
  limits.max_request_body_bytes = static_cast<uint64_t>(body);
  limits.max_request_header_bytes = static_cast<uint32_t>(head);
  limits.max_request_headers_count = static_cast<uint32_t>(count);
  limits.max_request_line_bytes = static_cast<uint32_t>(line);
  limits.request_header_timeout = toMillis(header_timeout);
  limits.idle_timeout = toMillis(idle_timeout);
  limits.io_uring_writes = absl::GetFlag(FLAGS_io_uring_writes);
  return limits;
}

int openConnections(const std::vector<std::unique_ptr<dp::listener::Worker>>& workers) {
  int open = 0;
  for (const auto& worker : workers) open += worker->activeConnections();
  return open;
}

// Waits until the workers have no connection left, the deadline passes, or another signal
// arrives (an operator who insists). Returns the connections still open.
int awaitDrain(const std::vector<std::unique_ptr<dp::listener::Worker>>& workers, const sigset_t& signals,
               absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (openConnections(workers) > 0 && absl::Now() < deadline) {
    const timespec step{0, 50'000'000};  // poll every 50 ms
    if (sigtimedwait(&signals, nullptr, &step) > 0) {
      PORTICO_LOG(kWarning, "portico-proxy: second signal, exiting without waiting for the drain");
      break;
    }
  }
  return openConnections(workers);
}

int run() {
  LogLevel level;
  if (!parseLogLevel(absl::GetFlag(FLAGS_log_level), level)) {
    PORTICO_LOG(kError, "--log_level must be debug, info, warning or error");
    return 2;
  }
  setLogLevel(level);
  dp::xds::XdsProtocol xds_protocol;
  if (!dp::xds::parseXdsProtocol(absl::GetFlag(FLAGS_xds_protocol), xds_protocol)) {
    PORTICO_LOG(kError, "--xds_protocol must be delta or sotw");
    return 2;
  }
  int worker_count = absl::GetFlag(FLAGS_workers);
  if (worker_count <= 0) {
    worker_count = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  }
  const std::string node_id = absl::GetFlag(FLAGS_node_id).empty() ? defaultNodeId() : absl::GetFlag(FLAGS_node_id);

  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  auto prom = std::make_shared<prometheus::Registry>();
  metrics::Exposition exposition;
  exposition.add(prom);
  dp::router::RouteStatsStore route_stats(worker_count);
  exposition.add(route_stats.requestsFamily());
  exposition.add(route_stats.durationFamily());
  dp::listener::ProxyStats proxy_stats(*prom);
  dp::upstream::lb::LbStats lb_stats(worker_count);
  exposition.add(lb_stats.panicFamily());

  auto limits = workerLimits();
  if (!limits.ok()) {
    PORTICO_LOG(kError, limits.status().message());
    return 2;
  }
  auto xds_credentials = dp::xds::buildChannelCredentials(
      {absl::GetFlag(FLAGS_xds_tls_ca), absl::GetFlag(FLAGS_xds_tls_cert), absl::GetFlag(FLAGS_xds_tls_key)});
  if (!xds_credentials.ok()) {
    PORTICO_LOG(kError, xds_credentials.status().message());
    return 2;
  }
  if (!absl::GetFlag(FLAGS_xds_tls_server_name).empty() && absl::GetFlag(FLAGS_xds_tls_ca).empty()) {
    PORTICO_LOG(kError, "--xds_tls_server_name needs --xds_tls_ca");
    return 2;
  }
  // Remote JWT key sets, kept across snapshots. Declared before the workers so it outlives every
  // snapshot they hold; stopped after them (its fetch thread wakes their waiting requests).
  dp::http::JwksRegistry::Options jwks_options;
  jwks_options.worker_count = static_cast<size_t>(worker_count);
  jwks_options.min_refetch_interval = absl::GetFlag(FLAGS_jwks_min_refetch_interval);
  dp::http::JwksRegistry jwks(jwks_options, prom.get());
  exposition.add(jwks.verifications());
  jwks.start();

  // The response cache: one per process, shared by the workers, kept across snapshots. Declared
  // before the workers so it outlives every snapshot they hold.
  dp::filters::cache::ResponseCache response_cache(static_cast<size_t>(worker_count));
  exposition.add(response_cache.metrics());
  dp::router::RouteStats* unrouted = route_stats.get("", "");
  std::vector<std::unique_ptr<dp::listener::Worker>> workers;
  std::vector<dp::listener::Worker*> worker_ptrs;
  for (int i = 0; i < worker_count; ++i) {
    workers.push_back(std::make_unique<dp::listener::Worker>(i, proxy_stats, unrouted, *limits));
    workers.back()->configureLoadBalancing({absl::GetFlag(FLAGS_zone), &lb_stats});
    worker_ptrs.push_back(workers.back().get());
    workers.back()->start();
  }
  const bool batched = workers.front()->sender().available();
  proxy_stats.io_uring_writes->Set(batched ? 1 : 0);
  if (!batched && limits->io_uring_writes) {
    PORTICO_LOG(kInfo, "io_uring is not available (kernel.io_uring_disabled or a seccomp profile): "
                "each write is one sendmsg");
  }

  // Redis connections (rate limits, quotas): one per worker per server. Declared after the
  // workers, and shut down once they stopped, before their io_contexts go (redis/client.h).
  dp::redis::ClientRegistry redis(static_cast<size_t>(worker_count));
  exposition.add(redis.commands());

  dp::config::SnapshotPublisher publisher(worker_ptrs, route_stats, prom.get());
  publisher.filterBase().filter_replies = std::make_shared<metrics::CounterFamily>(
      dp::http::FilterReplies::kName, dp::http::FilterReplies::kHelp, worker_count);
  exposition.add(publisher.filterBase().filter_replies);
  publisher.filterBase().cache = &response_cache;
  publisher.filterBase().jwks = &jwks;
  publisher.filterBase().redis = &redis;
  exposition.add(std::make_shared<dp::upstream::ClusterMetrics>(publisher.states()));
  exposition.add(std::make_shared<dp::admin::EndpointHealthMetrics>([&publisher] { return publisher.current(); }));
  exposition.add(std::make_shared<dp::admin::TlsCertificateMetrics>([&publisher] { return publisher.current(); }));
  // Certificate files are polled off the workers; a change is loaded into new handshakes.
  if (absl::GetFlag(FLAGS_tls_reload_interval) < absl::ZeroDuration()) {
    PORTICO_LOG(kError, "--tls_reload_interval must be >= 0");
    return 2;
  }
  dp::tls::CertificateWatcher certificate_watcher(publisher.tlsContexts(),
                                                  absl::GetFlag(FLAGS_tls_reload_interval));
  certificate_watcher.start();
  // Active health checks: one checker per process, fed every snapshot the publisher applies.
  dp::upstream::health::HealthChecker health_checker(*prom, std::random_device{}());
  health_checker.start();
  dp::xds::AdsClient::Options ads_options;
  ads_options.target = absl::GetFlag(FLAGS_xds);
  ads_options.credentials = *xds_credentials;
  ads_options.tls_server_name = absl::GetFlag(FLAGS_xds_tls_server_name);
  ads_options.protocol = xds_protocol;
  ads_options.node_id = node_id;
  ads_options.group = absl::GetFlag(FLAGS_group);
  ads_options.zone = absl::GetFlag(FLAGS_zone);
  ads_options.backoff_max = absl::GetFlag(FLAGS_xds_backoff_max);
  auto apply = [&publisher, &health_checker](const dp::xds::ResourceSet& candidate) {
    absl::Status status = publisher.apply(candidate);
    if (status.ok()) {
      if (const dp::config::SnapshotPtr snapshot = publisher.current()) health_checker.update(snapshot->clusters());
    }
    return status;
  };
  dp::xds::AdsClient ads(ads_options, apply, *prom);

  std::atomic<bool> draining{false};
  http::PathRouter router;
  dp::admin::addProxyAdminRoutes(router, dp::admin::ProxyAdminDeps{publisher, exposition,
                                                                    [&ads] { return ads.ready(); },
                                                                    [&ads] { return ads.connected(); },
                                                                    &health_checker,
                                                                    [&draining] { return draining.load(); }});
  http::AdminServer::Options admin_options;
  admin_options.address = absl::GetFlag(FLAGS_admin_address);
  admin_options.port = static_cast<uint16_t>(absl::GetFlag(FLAGS_admin_port));
  auto admin = http::AdminServer::start(
      admin_options, [&router](const http::HttpRequest& request) { return router.dispatch(request); });
  if (!admin.ok()) {
    PORTICO_LOG(kError, "admin server: ", admin.status().message());
    return 1;
  }
  ads.start();
  const char* xds_security = absl::GetFlag(FLAGS_xds_tls_ca).empty()     ? "plaintext"
                             : absl::GetFlag(FLAGS_xds_tls_cert).empty() ? "TLS"
                                                                         : "mutual TLS";
  PORTICO_LOG(kInfo, "portico-proxy node \"", node_id, "\" group \"", ads_options.group, "\": ", worker_count,
              " workers, control plane ", ads_options.target, " (",
              dp::xds::xdsProtocolName(xds_protocol), ", ", xds_security, "), admin on ", admin_options.address, ":",
              (*admin)->port());

  int received = 0;
  sigwait(&signals, &received);
  draining = true;
  PORTICO_LOG(kInfo, "portico-proxy: signal ", received, ", draining (at most ",
              absl::FormatDuration(absl::GetFlag(FLAGS_drain_timeout)), ")");
  publisher.closeListeners();
  for (auto& worker : workers) worker->drain();
  const int left = awaitDrain(workers, signals, absl::GetFlag(FLAGS_drain_timeout));
  PORTICO_LOG(kInfo, "portico-proxy: ", left == 0 ? "drained" : cat(left, " connections cut at the drain deadline"),
              ", exiting");
  ads.stop();
  (*admin)->stop();
  health_checker.stop();  // after the admin server: /clusters asks it for its counters
  certificate_watcher.stop();
  for (auto& worker : workers) {
    worker->stop();
  }
  redis.shutdown();
  jwks.stop();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage("portico-proxy: Portico's data-plane proxy");
  absl::ParseCommandLine(argc, argv);
  return run();
}
