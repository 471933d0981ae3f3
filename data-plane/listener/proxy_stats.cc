#include "data-plane/listener/proxy_stats.h"

namespace portico::dp::listener {

namespace {
prometheus::Counter* counter(prometheus::Registry& registry, const char* name, const char* help) {
  return &prometheus::BuildCounter().Name(name).Help(help).Register(registry).Add({});
}
}  // namespace

ProxyStats::ProxyStats(prometheus::Registry& registry) {
  downstream_connections_active = &prometheus::BuildGauge()
                                       .Name("portico_proxy_downstream_connections_active")
                                       .Help("Client connections currently open")
                                       .Register(registry)
                                       .Add({});
  downstream_connections_total =
      counter(registry, "portico_proxy_downstream_connections_total", "Client connections accepted");
  downstream_bad_requests_total = counter(registry, "portico_proxy_downstream_bad_requests_total",
                                          "Malformed or oversized client requests refused");
  downstream_upgrades_total = counter(registry, "portico_proxy_downstream_upgrades_total",
                                      "WebSocket upgrades passed through (tunnels opened)");
  upstream_connections_total =
      counter(registry, "portico_proxy_upstream_connections_total", "Upstream connections opened");
  upstream_connect_failures_total = counter(registry, "portico_proxy_upstream_connect_failures_total",
                                            "Upstream connection attempts that failed or timed out");
  upstream_timeouts_total =
      counter(registry, "portico_proxy_upstream_timeouts_total",
              "Tries that hit their route or per-try timeout while waiting for the response");
  upstream_resets_total = counter(registry, "portico_proxy_upstream_resets_total",
                                  "Upstream connections that failed mid-exchange");
  upstream_stale_retries_total =
      counter(registry, "portico_proxy_upstream_stale_retries_total",
              "Requests re-sent on a fresh connection after a pooled one turned out closed");
  io_uring_writes = &prometheus::BuildGauge()
                         .Name("portico_proxy_io_uring_writes")
                         .Help("1 when each worker sends its plain-TCP writes of a loop turn with one "
                               "io_uring_enter(), 0 when it writes one sendmsg each")
                         .Register(registry)
                         .Add({});
}

}  // namespace portico::dp::listener
