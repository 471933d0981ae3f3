#include "control-plane/translator/translation_loop.h"

#include <prometheus/counter.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "absl/time/clock.h"
#include "common/logging.h"
#include "control-plane/translator/translator.h"

namespace portico::cp::translator {

TranslationLoop::TranslationLoop(registry::Store& store, xds::SnapshotCache& cache,
                                 prometheus::Registry& metrics, Options options)
    : store_(store), cache_(cache), options_(options) {
  translations_total_ = &prometheus::BuildCounter()
                             .Name("portico_cp_translations_total")
                             .Help("Snapshots computed from config and registry")
                             .Register(metrics)
                             .Add({});
  translation_seconds_ = &prometheus::BuildHistogram()
                              .Name("portico_cp_translation_duration_seconds")
                              .Help("Time to translate config and registry into snapshots")
                              .Register(metrics)
                              .Add({}, prometheus::Histogram::BucketBoundaries{
                                           0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                           0.25, 0.5, 1, 2.5});
}

TranslationLoop::~TranslationLoop() { stop(); }

void TranslationLoop::setConfig(model::PorticoConfig config) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    config_ = std::move(config);
    markDirty();
  }
  cv_.notify_one();
}

void TranslationLoop::markDirty() {
  if (!dirty_ && first_change_ == absl::InfinitePast()) {
    first_change_ = absl::Now();
  }
  dirty_ = true;
}

void TranslationLoop::notify() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    markDirty();
  }
  cv_.notify_one();
}

void TranslationLoop::start() {
  translateOnce();
  thread_ = std::thread([this] { run(); });
}

void TranslationLoop::stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) {
    thread_.join();
  }
}

uint64_t TranslationLoop::translations() const {
  std::lock_guard<std::mutex> lock(mu_);
  return count_;
}

void TranslationLoop::run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    cv_.wait(lock, [this] { return dirty_ || stopping_; });
    if (stopping_) {
      return;
    }
    // Debounce: wait until `quiet` passes without a new change, or `max_delay` since the first.
    const auto first = std::chrono::steady_clock::now();
    const auto max_deadline = first + absl::ToChronoNanoseconds(options_.max_delay);
    while (!stopping_) {
      dirty_ = false;
      auto quiet_deadline = std::chrono::steady_clock::now() + absl::ToChronoNanoseconds(options_.quiet);
      auto deadline = std::min(quiet_deadline, max_deadline);
      if (!cv_.wait_until(lock, deadline, [this] { return dirty_ || stopping_; })) {
        break;  // quiet period passed
      }
      if (std::chrono::steady_clock::now() >= max_deadline) {
        break;
      }
    }
    if (stopping_) {
      return;
    }
    dirty_ = false;
    const absl::Time change_time = first_change_;
    first_change_ = absl::InfinitePast();
    lock.unlock();
    translateOnce(change_time);
    lock.lock();
  }
}

void TranslationLoop::translateOnce(absl::Time change_time) {
  model::PorticoConfig config;
  {
    std::lock_guard<std::mutex> lock(mu_);
    config = config_;
  }
  const absl::Time start = absl::Now();
  registry::RegistryState state = store_.state();
  retainDeparted(state, start);
  const registry::RevocationList revoked =
      options_.revocations ? options_.revocations() : registry::RevocationList{};
  const registry::PurgeList purges = options_.purges ? options_.purges() : registry::PurgeList{};
  GroupSnapshots snapshots = translate(config, state, change_time, revoked, purges);
  const absl::Duration took = absl::Now() - start;
  translations_total_->Increment();
  translation_seconds_->Observe(absl::ToDoubleSeconds(took));
  cache_.setAll(std::move(snapshots));
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++count_;
  }
  PORTICO_LOG(kDebug, "translator: snapshot built in ", absl::FormatDuration(took));
}

void TranslationLoop::retainDeparted(registry::RegistryState& state, absl::Time now) {
  for (const auto& [service, instances] : state) {
    last_seen_[service] = now;
  }
  for (auto it = last_seen_.begin(); it != last_seen_.end();) {
    if (now - it->second > options_.service_retention) {
      it = last_seen_.erase(it);
    } else {
      state.try_emplace(it->first);  // no instances: an empty load assignment
      ++it;
    }
  }
}

}  // namespace portico::cp::translator
