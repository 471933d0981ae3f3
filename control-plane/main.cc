// portico-cp: the control plane. Watches registrations and operator config, translates them
// into Envoy v3 xDS snapshots and serves them over ADS (gRPC, callback API) to proxies and
// proxyless gRPC clients. Admin HTTP (REST registry, status, metrics) on its own port.

#include <signal.h>

#include <grpcpp/grpcpp.h>
#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <cstdlib>
#include <memory>
#include <mutex>
#include <optional>
#include <set>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/ascii.h"
#include "common/http/admin_server.h"
#include "common/http/bearer_auth.h"
#include "common/logging.h"
#include "common/metrics/exposition.h"
#include "control-plane/admin/cp_admin.h"
#include "control-plane/model/config_parser.h"
#include "control-plane/registry/memory_store.h"
#include "control-plane/registry/registry_metrics.h"
#include "control-plane/registry/purge_log.h"
#include "control-plane/registry/revocation_store.h"
#include "control-plane/registry/ttl_sweeper.h"
#include "control-plane/sources/file_source.h"
#include "control-plane/sources/grpc_registry_service.h"
#include "control-plane/translator/translation_loop.h"
#include "control-plane/xds/ads_service.h"
#include "control-plane/xds/server_credentials.h"

ABSL_FLAG(std::string, xds_address, "0.0.0.0", "Address for the gRPC server (ADS + registry)");
ABSL_FLAG(int, xds_port, 18000, "Port for the gRPC server (ADS + registry)");
ABSL_FLAG(std::string, admin_address, "0.0.0.0", "Address for the admin HTTP server");
ABSL_FLAG(int, admin_port, 18001, "Port for the admin HTTP server (REST registry, status, metrics)");
ABSL_FLAG(std::string, config, "", "Path to portico.yaml; empty: one listener on :8080, default routes");
ABSL_FLAG(std::string, log_level, "info", "debug | info | warning | error");
ABSL_FLAG(absl::Duration, debounce, absl::Milliseconds(50),
          "Quiet period that coalesces config and registry changes into one push");
ABSL_FLAG(absl::Duration, debounce_max, absl::Milliseconds(500),
          "Longest a change waits for a push while changes keep coming");
ABSL_FLAG(absl::Duration, service_retention, absl::Hours(1),
          "How long a service whose last instance left keeps its (empty) cluster and routes");
ABSL_FLAG(absl::Duration, ttl_sweep_interval, absl::Milliseconds(500),
          "How often expired registrations (and JWT revocations past their expiry) are removed");
ABSL_FLAG(std::string, grpc_tls_cert, "",
          "PEM certificate chain of the gRPC server (ADS + registry); with --grpc_tls_key: TLS "
          "(empty: plaintext, unauthenticated)");
ABSL_FLAG(std::string, grpc_tls_key, "", "PEM private key of --grpc_tls_cert");
ABSL_FLAG(std::string, grpc_client_ca, "",
          "PEM CA bundle: require every gRPC client (proxy, registrant) to present a certificate "
          "it signs (mutual TLS); needs --grpc_tls_cert and --grpc_tls_key");
ABSL_FLAG(std::string, admin_token_file, "",
          "File holding the admin API's bearer token (read at start; else $PORTICO_ADMIN_TOKEN): "
          "every admin request but /healthz, /readyz and /metrics then needs "
          "'Authorization: Bearer <token>', and gRPC registry calls the same metadata");
ABSL_FLAG(bool, metrics_require_token, false,
          "With an admin token: require it on /metrics too (Prometheus then needs it)");

namespace {

using namespace portico;  // NOLINT(google-build-using-namespace): main only

// The admin token: --admin_token_file, else $PORTICO_ADMIN_TOKEN, else none (nullopt).
absl::StatusOr<std::optional<std::string>> adminToken() {
  const std::string path = absl::GetFlag(FLAGS_admin_token_file);
  if (!path.empty()) {
    absl::StatusOr<std::string> token = http::readBearerTokenFile(path);
    if (!token.ok()) {
      return absl::InvalidArgumentError(cat("--admin_token_file=", sv(token.status().message())));
    }
    return std::optional<std::string>(std::move(*token));
  }
  const char* env = std::getenv("PORTICO_ADMIN_TOKEN");
  if (env == nullptr || *env == '\0') {
    return std::optional<std::string>();
  }
  std::string token(sv(absl::StripAsciiWhitespace(env)));
  if (absl::Status status = http::validateBearerToken(token); !status.ok()) {
    return absl::InvalidArgumentError(cat("$PORTICO_ADMIN_TOKEN: ", sv(status.message())));
  }
  return std::optional<std::string>(std::move(token));
}

// How long a revocation outlives its expires_at: the largest clock-skew allowance any jwt
// plugin grants (a token is accepted that long after its exp), at least the default.
absl::Duration revocationGrace(const cp::model::PorticoConfig& config) {
  absl::Duration grace = cp::registry::kDefaultRevocationGrace;
  for (const cp::model::PluginInstance& plugin : config.plugins) {
    if (const auto* jwt = std::get_if<cp::model::JwtConfig>(&plugin.config)) {
      grace = std::max(grace, jwt->clock_skew);
    }
  }
  return grace;
}

const char* grpcSecurityName(cp::xds::GrpcSecurity mode) {
  switch (mode) {
    case cp::xds::GrpcSecurity::kPlaintext:
      return "plaintext";
    case cp::xds::GrpcSecurity::kTls:
      return "TLS, client certificates not required";
    case cp::xds::GrpcSecurity::kMutualTls:
      return "mutual TLS";
  }
  return "?";
}

void warnUnauthenticated(cp::xds::GrpcSecurity mode, bool admin_token) {
  if (mode != cp::xds::GrpcSecurity::kMutualTls) {
    PORTICO_LOG(kWarning, "the gRPC port is ", mode == cp::xds::GrpcSecurity::kPlaintext ? "plaintext and " : "",
                "unauthenticated: anyone who reaches it can read every group's configuration over ADS"
                "; set --grpc_tls_cert, --grpc_tls_key and --grpc_client_ca (docs/security.md)");
  }
  if (!admin_token) {
    PORTICO_LOG(kWarning, "the admin API is unauthenticated: anyone who reaches it can register endpoints and "
                          "change what proxies serve; set --admin_token_file (docs/security.md)");
  }
}

int run() {
  LogLevel level;
  if (!parseLogLevel(absl::GetFlag(FLAGS_log_level), level)) {
    PORTICO_LOG(kError, "--log_level must be debug, info, warning or error");
    return 2;
  }
  setLogLevel(level);

  const std::string config_path = absl::GetFlag(FLAGS_config);

  // Block the signals we handle before any thread starts, so only sigwait() sees them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  auto prom = std::make_shared<prometheus::Registry>();
  metrics::Exposition exposition;
  exposition.add(prom);

  absl::StatusOr<cp::xds::GrpcServerSecurity> grpc_security = cp::xds::buildServerSecurity(
      {absl::GetFlag(FLAGS_grpc_tls_cert), absl::GetFlag(FLAGS_grpc_tls_key), absl::GetFlag(FLAGS_grpc_client_ca)});
  if (!grpc_security.ok()) {
    PORTICO_LOG(kError, grpc_security.status().message());
    return 2;
  }
  absl::StatusOr<std::optional<std::string>> admin_token = adminToken();
  if (!admin_token.ok()) {
    PORTICO_LOG(kError, admin_token.status().message());
    return 2;
  }
  std::unique_ptr<http::BearerAuth> admin_auth;
  if (admin_token->has_value()) {
    admin_auth = std::make_unique<http::BearerAuth>(**admin_token,
                                                    cp::admin::openAdminPaths(absl::GetFlag(FLAGS_metrics_require_token)));
  } else if (absl::GetFlag(FLAGS_metrics_require_token)) {
    PORTICO_LOG(kError, "--metrics_require_token needs an admin token (--admin_token_file or $PORTICO_ADMIN_TOKEN)");
    return 2;
  }

  cp::registry::MemoryStore store;
  exposition.add(std::make_shared<cp::registry::RegistryMetrics>(store));
  cp::registry::RevocationStore revocations;
  cp::registry::PurgeLog cache_purges;
  // The configured route names, for the purge API's check (updated with each config).
  std::mutex route_names_mu;
  std::set<std::string, std::less<>> route_names;
  cp::xds::SnapshotCache cache;
  cp::xds::XdsMetrics xds_metrics(*prom);
  cp::xds::ProxyTracker tracker;

  cp::translator::TranslationLoop::Options loop_options;
  loop_options.quiet = absl::GetFlag(FLAGS_debounce);
  loop_options.max_delay = absl::GetFlag(FLAGS_debounce_max);
  loop_options.service_retention = absl::GetFlag(FLAGS_service_retention);
  loop_options.revocations = [&revocations] { return revocations.list(); };
  loop_options.purges = [&cache_purges] { return cache_purges.list(); };
  cp::translator::TranslationLoop loop(store, cache, *prom, loop_options);
  // The config: the file (validated, hot-reloaded) or the built-in default.
  std::unique_ptr<cp::sources::FileSource> file_source;
  auto apply_config = [&loop, &revocations, &route_names_mu, &route_names](cp::model::PorticoConfig config) {
    revocations.setGrace(revocationGrace(config));
    {
      std::lock_guard<std::mutex> lock(route_names_mu);
      route_names.clear();
      for (const cp::model::RouteConfig& route : config.routes) route_names.insert(route.name);
    }
    loop.setConfig(std::move(config));
  };
  if (config_path.empty()) {
    apply_config(cp::model::defaultConfig());
  } else {
    file_source = std::make_unique<cp::sources::FileSource>(config_path, apply_config, *prom);
    if (absl::Status status = file_source->reload("start-up"); !status.ok()) {
      return 1;  // the error is logged; refuse to start on a bad file
    }
    if (absl::Status status = file_source->watch(); !status.ok()) {
      PORTICO_LOG(kWarning, "not watching ", config_path, " (", status.message(), "); reload with SIGHUP");
    }
  }
  store.setOnChange([&loop] { loop.notify(); });
  prometheus::Gauge& revoked_gauge = prometheus::BuildGauge()
                                        .Name("portico_cp_jwt_revocations")
                                        .Help("JWT ids on the revocation list (pushed to groups with jwt)")
                                        .Register(*prom)
                                        .Add({});
  revocations.setOnChange([&loop, &revocations, &revoked_gauge] {
    revoked_gauge.Set(static_cast<double>(revocations.size()));
    loop.notify();
  });
  prometheus::Counter& purges_counter = prometheus::BuildCounter()
                                            .Name("portico_cp_cache_purges_total")
                                            .Help("Cache purges requested (POST /v1/cache/purge), pushed to the proxies")
                                            .Register(*prom)
                                            .Add({});
  cache_purges.setOnChange([&loop, &purges_counter] {
    purges_counter.Increment();
    loop.notify();
  });
  loop.start();
  cp::registry::TtlSweeper sweeper(store, absl::GetFlag(FLAGS_ttl_sweep_interval), &revocations);

  cp::xds::AdsService ads(cache, xds_metrics, tracker);
  cp::sources::GrpcRegistryService registry_service(store, admin_auth.get());
  grpc::ServerBuilder builder;
  int bound_port = 0;
  const std::string xds_target =
      cat(absl::GetFlag(FLAGS_xds_address), ":", absl::GetFlag(FLAGS_xds_port));
  builder.AddListeningPort(xds_target, grpc_security->credentials, &bound_port);
  builder.RegisterService(&ads);
  builder.RegisterService(&registry_service);
  // Proxies keep one long-lived stream and may ping to detect dead control planes.
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 10000);
  builder.SetMaxReceiveMessageSize(16 << 20);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || bound_port == 0) {
    PORTICO_LOG(kError, "cannot serve gRPC on ", xds_target);
    return 1;
  }

  http::PathRouter router;
  cp::admin::addCpAdminRoutes(
      router, cp::admin::CpAdminDeps{store, cache, tracker, exposition,
                                     [&file_source]() -> std::optional<cp::sources::ConfigStatus> {
                                       if (!file_source) return std::nullopt;
                                       return file_source->status();
                                     },
                                     [&loop] { return loop.translations() > 0; }, &revocations, &cache_purges,
                                     [&route_names_mu, &route_names](const std::string& name) {
                                       std::lock_guard<std::mutex> lock(route_names_mu);
                                       return route_names.count(name) > 0;
                                     }});
  http::AdminServer::Options admin_options;
  admin_options.address = absl::GetFlag(FLAGS_admin_address);
  admin_options.port = static_cast<uint16_t>(absl::GetFlag(FLAGS_admin_port));
  auto admin = http::AdminServer::start(admin_options, cp::admin::adminHandler(router, admin_auth.get(), *prom));
  if (!admin.ok()) {
    PORTICO_LOG(kError, "admin server: ", admin.status().message());
    return 1;
  }
  PORTICO_LOG(kInfo, "portico-cp serving ADS and registry on ", xds_target, " (",
              grpcSecurityName(grpc_security->mode), "), admin on ", admin_options.address, ":", (*admin)->port(),
              admin_auth ? " (bearer token required)" : " (no admin token)", ", config: ",
              config_path.empty() ? "built-in default" : config_path);
  warnUnauthenticated(grpc_security->mode, admin_auth != nullptr);

  int received = 0;
  while (sigwait(&signals, &received) == 0 && received == SIGHUP) {
    if (file_source) {
      file_source->reload("SIGHUP").IgnoreError();
    } else {
      PORTICO_LOG(kWarning, "SIGHUP: no --config file to reload");
    }
  }
  PORTICO_LOG(kInfo, "portico-cp: signal ", received, ", shutting down");
  (*admin)->stop();
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
  sweeper.stop();
  if (file_source) file_source->stop();
  loop.stop();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage("portico-cp: Portico's xDS control plane");
  absl::ParseCommandLine(argc, argv);
  return run();
}
