#pragma once

// Proxy-wide counters for events that are per connection or per failure (not per request), so
// prometheus-cpp's atomic counters are cheap enough here. Resolved once at start-up.

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

namespace portico::dp::listener {

struct ProxyStats {
  explicit ProxyStats(prometheus::Registry& registry);

  prometheus::Gauge* downstream_connections_active;
  prometheus::Counter* downstream_connections_total;
  prometheus::Counter* downstream_bad_requests_total;
  prometheus::Counter* downstream_upgrades_total;  // WebSocket tunnels opened (101 passed on)
  prometheus::Counter* upstream_connections_total;
  prometheus::Counter* upstream_connect_failures_total;
  prometheus::Counter* upstream_timeouts_total;
  prometheus::Counter* upstream_resets_total;
  prometheus::Counter* upstream_stale_retries_total;
  // 1 when the workers send a loop turn's writes with one io_uring_enter(), 0 when they write
  // one sendmsg each (switched off, or io_uring unavailable). Set once at start-up.
  prometheus::Gauge* io_uring_writes;
};

}  // namespace portico::dp::listener
