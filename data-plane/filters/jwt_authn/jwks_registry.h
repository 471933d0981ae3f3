#pragma once

// The process-wide home of remote JWKS key sets and of the JWT metric families: one per
// portico-proxy, owned by main, handed to the jwt_authn factory through
// FilterBuildContext::jwks (the snapshot compiler fills it in).
//
// Remote key sets (remote_jwks.h) are kept by identity — URI, CA file, timeout, cache
// duration — as weak references, like upstream::StateRegistry: a new snapshot naming the same
// JWKS gets the object the current snapshot holds, with its keys, so a config push never
// refetches or drops keys; a set no snapshot names any more is freed, and its fetch loop ends.
//
// Fetches run on the registry's own thread and io_context (like the health checker), never on
// a worker: one coroutine per key set fetches, publishes, sleeps until the next refresh and
// wakes early when a worker asks for a refetch.
//
// Metrics:
//   portico_proxy_jwt_verifications_total{provider, outcome}  (per token; sharded per worker)
//   portico_proxy_jwks_fetches_total{uri, result="success|failure"}
//   portico_proxy_jwks_keys{uri}  (usable keys in the set in use)
//
// Threading: remote() on the xDS thread; start()/stop() on main. The registry must outlive
// every snapshot compiled with it, and stop() must run before the workers' io_contexts are
// destroyed (it posts wake-ups to them).

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "common/metrics/sharded_metrics.h"
#include "data-plane/filters/jwt_authn/remote_jwks.h"

namespace prometheus {
class Counter;
class Gauge;
class Registry;
template <typename T>
class Family;
}  // namespace prometheus

namespace portico::dp::http {

class JwksRegistry {
 public:
  struct Options {
    size_t worker_count = 1;
    // How often a token with an unknown kid may trigger a refetch of one key set.
    absl::Duration min_refetch_interval = absl::Seconds(10);
  };

  // `metrics` may be null (tests): fetch metrics are then not kept.
  JwksRegistry(Options options, prometheus::Registry* metrics);
  ~JwksRegistry();
  JwksRegistry(const JwksRegistry&) = delete;
  JwksRegistry& operator=(const JwksRegistry&) = delete;

  void start();
  void stop();  // idempotent; joins the thread

  // The key set for these settings, shared with every snapshot that uses it; a new one starts
  // fetching at once. The caller has checked the URI (jwt_authn::checkJwksUri).
  std::shared_ptr<filters::jwt_authn::RemoteJwks> remote(const filters::jwt_authn::RemoteJwksSettings& settings);

  // portico_proxy_jwt_verifications_total, for main to expose and the filters to count into.
  std::shared_ptr<metrics::CounterFamily> verifications() const { return verifications_; }
  size_t workerCount() const { return options_.worker_count; }

 private:
  struct Loop;
  boost::asio::awaitable<void> run(std::weak_ptr<filters::jwt_authn::RemoteJwks> weak, std::shared_ptr<Loop> loop);
  void fetched(filters::jwt_authn::RemoteJwks& remote, Loop& loop, absl::StatusOr<std::string> body);

  const Options options_;
  prometheus::Family<prometheus::Counter>* fetches_ = nullptr;
  prometheus::Family<prometheus::Gauge>* key_counts_ = nullptr;
  std::shared_ptr<metrics::CounterFamily> verifications_;
  boost::asio::io_context io_{1};
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::thread thread_;
  std::mutex mu_;
  absl::flat_hash_map<std::string, std::weak_ptr<filters::jwt_authn::RemoteJwks>> remotes_ ABSL_GUARDED_BY(mu_);
};

}  // namespace portico::dp::http
