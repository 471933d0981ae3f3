#include "data-plane/upstream/health/health_checker.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/registry.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <future>

#include "common/logging.h"
#include "data-plane/upstream/health/http_probe.h"

namespace portico::dp::upstream::health {

namespace asio = boost::asio;

namespace {

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

std::chrono::steady_clock::duration toChrono(absl::Duration d) {
  return std::chrono::duration_cast<std::chrono::steady_clock::duration>(absl::ToChronoNanoseconds(d));
}

}  // namespace

struct HealthChecker::Target {
  explicit Target(asio::io_context& io) : timer(io) {}
  Spec spec;
  HealthCounters counters;
  bool stopped = false;
  asio::steady_timer timer;
  prometheus::Counter* results[3] = {};  // by ProbeOutcome
};

HealthChecker::HealthChecker(prometheus::Registry& metrics, uint64_t seed)
    : checks_(prometheus::BuildCounter()
                  .Name("portico_proxy_health_checks_total")
                  .Help("Active health checks by cluster and result (success, failure, timeout)")
                  .Register(metrics)),
      random_(seed) {}

HealthChecker::~HealthChecker() { stop(); }

void HealthChecker::start() {
  thread_ = std::thread([this] {
    auto guard = asio::make_work_guard(io_);
    io_.run();
  });
}

void HealthChecker::stop() {
  if (!thread_.joinable()) return;
  io_.stop();
  thread_.join();
}

void HealthChecker::update(const std::vector<Cluster>& clusters) {
  std::vector<Spec> specs;
  for (const Cluster& cluster : clusters) {
    if (!cluster.health_check) continue;
    for (const Endpoint& endpoint : cluster.endpoints) {
      specs.push_back(Spec{cluster.name, *cluster.health_check, endpoint.address, endpoint.key, endpoint.state});
    }
  }
  asio::post(io_, [this, specs = std::move(specs)]() mutable { reconcile(std::move(specs)); });
}

void HealthChecker::reconcile(std::vector<Spec> specs) {
  absl::flat_hash_map<const EndpointState*, Spec*> wanted;
  for (Spec& spec : specs) wanted[spec.state.get()] = &spec;
  for (auto it = targets_.begin(); it != targets_.end();) {
    auto next = std::next(it);
    if (!wanted.contains(it->first)) {
      Target& target = *it->second;
      target.stopped = true;
      target.timer.cancel();
      target.spec.state->health_check_failed.store(false, std::memory_order_relaxed);
      PORTICO_LOG(kDebug, "health check: stopped for ", target.spec.cluster, " ", target.spec.key);
      targets_.erase(it);
    }
    it = next;
  }
  for (Spec& spec : specs) {
    auto it = targets_.find(spec.state.get());
    if (it == targets_.end()) {
      startTarget(std::move(spec));
    } else {
      it->second->spec = std::move(spec);  // new settings from the next check on
    }
  }
}

void HealthChecker::startTarget(Spec spec) {
  auto target = std::make_shared<Target>(io_);
  for (ProbeOutcome outcome : {ProbeOutcome::kSuccess, ProbeOutcome::kFailure, ProbeOutcome::kTimeout}) {
    target->results[static_cast<int>(outcome)] =
        &checks_.Add({{"cluster", spec.cluster}, {"result", outcomeName(outcome)}});
  }
  // Resume a verdict the endpoint still carries (it left and came back while alive).
  target->counters.unhealthy = spec.state->health_check_failed.load(std::memory_order_relaxed);
  target->spec = std::move(spec);
  targets_[target->spec.state.get()] = target;
  asio::co_spawn(io_, run(target), asio::detached);
}

asio::awaitable<void> HealthChecker::run(TargetPtr target) {
  // Jittered first check: anywhere within the first interval.
  const auto interval_ns = static_cast<uint64_t>(absl::ToInt64Nanoseconds(target->spec.check.interval));
  auto delay = std::chrono::nanoseconds(random_.below(std::max<uint64_t>(interval_ns, 1)));
  while (true) {
    target->timer.expires_after(delay);
    co_await target->timer.async_wait(kNoThrow);
    if (target->stopped) co_return;
    const Spec& spec = target->spec;
    ProbeResult result =
        co_await probeHttp(spec.address, spec.check, spec.check.host.empty() ? spec.cluster : spec.check.host);
    if (target->stopped) co_return;
    record(*target, result);
    const HealthCheck& check = target->spec.check;
    const bool slow = target->counters.unhealthy && check.unhealthy_interval > absl::ZeroDuration();
    delay = toChrono(slow ? check.unhealthy_interval : check.interval);
  }
}

void HealthChecker::record(Target& target, const ProbeResult& result) {
  target.results[static_cast<int>(result.outcome)]->Increment();
  const HealthCheck& check = target.spec.check;
  const bool passed = result.outcome == ProbeOutcome::kSuccess;
  if (!recordCheck(target.counters, passed, check.healthy_threshold, check.unhealthy_threshold)) return;
  target.spec.state->health_check_failed.store(target.counters.unhealthy, std::memory_order_relaxed);
  if (target.counters.unhealthy) {
    PORTICO_LOG(kWarning, "health check: ", target.spec.cluster, " endpoint ", target.spec.key,
                " is now unhealthy (", target.counters.failures, " failed checks; last: ", result.detail, ")");
  } else {
    PORTICO_LOG(kInfo, "health check: ", target.spec.cluster, " endpoint ", target.spec.key, " is healthy again");
  }
}

std::vector<HealthChecker::TargetInfo> HealthChecker::targets() {
  if (!thread_.joinable()) return {};
  auto promise = std::make_shared<std::promise<std::vector<TargetInfo>>>();
  auto future = promise->get_future();
  asio::post(io_, [this, promise] {
    std::vector<TargetInfo> out;
    for (const auto& [state, target] : targets_) {
      out.push_back({target->spec.cluster, target->spec.key, target->counters.passes, target->counters.failures,
                     target->counters.unhealthy});
    }
    promise->set_value(std::move(out));
  });
  if (future.wait_for(std::chrono::seconds(5)) != std::future_status::ready) return {};
  return future.get();
}

}  // namespace portico::dp::upstream::health
