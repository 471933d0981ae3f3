#pragma once

// Active HTTP health checking, once per proxy process (not per worker): one thread with its own
// io_context runs a check loop per (cluster, endpoint) target of every cluster that has a
// health_check, and writes the verdict into the endpoint's shared EndpointState
// (health_check_failed), which every worker's balancer reads. Workers never wait for it.
//
// Feeding: main.cc calls update() with the clusters of each snapshot SnapshotPublisher has just
// applied (push, not polling: no delay, and no work while nothing changes). update() reconciles
// by EndpointState identity: the StateRegistry hands a snapshot the same EndpointState for an
// endpoint that stays, so its target keeps its counters and verdict across snapshots (a new
// config for the cluster takes effect at its next check); a new endpoint gets a new target; a
// target whose endpoint left, or whose cluster no longer asks for checks, stops and clears its
// verdict (an endpoint nobody checks is not held unhealthy).
//
// Per target: the first check comes after a random delay within one interval, so the
// endpoints of a big cluster (or of many clusters after a restart) are not all checked at
// once; then one check every `interval` while healthy and every `unhealthy_interval` (default:
// `interval`) while unhealthy. Endpoints start healthy: traffic flows from the start and stops
// after `unhealthy_threshold` failed checks, like Envoy without ignore_new_hosts_until_first_hc
// (a proxy that starts or receives new endpoints does not black-hole them for an interval).
// An endpoint that reappears while its old state is still alive resumes that state.
//
// Metrics: portico_proxy_health_checks_total{cluster,result="success|failure|timeout"}.
//
// Threading: update(), start(), stop() and targets() from any thread (update posts to the
// checker's thread); everything else runs on the checker's thread.

#include <boost/asio/io_context.hpp>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "data-plane/upstream/cluster.h"
#include "data-plane/upstream/health/health_state.h"
#include "data-plane/upstream/health/http_probe.h"
#include "data-plane/upstream/lb/fast_random.h"

namespace prometheus {
class Counter;
class Registry;
template <typename T>
class Family;
}  // namespace prometheus

namespace portico::dp::upstream::health {

class HealthChecker {
 public:
  HealthChecker(prometheus::Registry& metrics, uint64_t seed);
  ~HealthChecker();
  HealthChecker(const HealthChecker&) = delete;
  HealthChecker& operator=(const HealthChecker&) = delete;

  void start();
  void stop();  // idempotent; joins the thread

  // The clusters of a newly published snapshot (copied: the snapshot need not outlive the call).
  void update(const std::vector<Cluster>& clusters);

  // What is being checked (for /clusters and tests): one line per target. Blocks until the
  // checker's thread answers; empty when it is not running.
  struct TargetInfo {
    std::string cluster;
    std::string endpoint;  // "ip:port"
    uint32_t passes = 0;
    uint32_t failures = 0;
    bool unhealthy = false;
  };
  std::vector<TargetInfo> targets();

 private:
  struct Spec {
    std::string cluster;
    HealthCheck check;
    boost::asio::ip::tcp::endpoint address;
    std::string key;
    std::shared_ptr<EndpointState> state;
  };
  struct Target;
  using TargetPtr = std::shared_ptr<Target>;

  void reconcile(std::vector<Spec> specs);
  void startTarget(Spec spec);
  boost::asio::awaitable<void> run(TargetPtr target);
  void record(Target& target, const ProbeResult& result);

  prometheus::Family<prometheus::Counter>& checks_;
  lb::FastRandom random_;
  boost::asio::io_context io_{1};
  std::thread thread_;
  // Keyed by EndpointState identity; after io_, so timers go before their io_context.
  absl::flat_hash_map<const EndpointState*, TargetPtr> targets_;
};

}  // namespace portico::dp::upstream::health
