#pragma once

// Runs the translator whenever its inputs change, debounced: a burst of registry changes within
// `quiet` gives one translation, and a steady stream of changes still translates at least every
// `max_delay`. Each result is set into the snapshot cache, which pushes it to the streams.
//
// Threading: notify() and setConfig() may be called from any thread; translation runs on the
// loop's own thread.

#include <condition_variable>
#include <functional>
#include <map>
#include <string>
#include <memory>
#include <mutex>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/time/time.h"
#include "control-plane/model/portico_config.h"
#include "control-plane/registry/purge_log.h"
#include "control-plane/registry/revocation_store.h"
#include "control-plane/registry/store.h"
#include "control-plane/xds/snapshot_cache.h"

namespace prometheus {
class Counter;
class Histogram;
class Registry;
}  // namespace prometheus

namespace portico::cp::translator {

class TranslationLoop {
 public:
  struct Options {
    absl::Duration quiet = absl::Milliseconds(50);
    absl::Duration max_delay = absl::Milliseconds(500);
    // A service whose last instance went away keeps its resources, with no endpoints, this long:
    // xDS clients then see scale-to-zero (an empty ClusterLoadAssignment) rather than deletion,
    // which gRPC 1.51's client does not recover from when the service comes back (it keeps a
    // cleared route subscription and ignores the identical RouteConfiguration).
    absl::Duration service_retention = absl::Hours(1);
    // The revoked JWT ids to push (RevocationStore::list); read at every translation. Null:
    // none. The store's change callback should call notify().
    std::function<registry::RevocationList()> revocations;
    // The cache purge log to push (PurgeLog::list); read at every translation. Null: none. The
    // log's change callback should call notify().
    std::function<registry::PurgeList()> purges;
  };

  TranslationLoop(registry::Store& store, xds::SnapshotCache& cache, prometheus::Registry& metrics,
                  Options options);
  ~TranslationLoop();

  // Replaces the operator config and schedules a translation.
  void setConfig(model::PorticoConfig config);
  // Schedules a translation (registry, revocations or purges changed).
  void notify();
  // Translates synchronously once (start-up) and starts the loop thread.
  void start();
  void stop();

  // Number of translations done (for /readyz and tests).
  uint64_t translations() const;

 private:
  void run();
  void translateOnce(absl::Time change_time = absl::InfinitePast());
  void markDirty() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Adds empty entries for recently departed services (see Options::service_retention).
  void retainDeparted(registry::RegistryState& state, absl::Time now);

  registry::Store& store_;
  xds::SnapshotCache& cache_;
  const Options options_;
  prometheus::Counter* translations_total_;
  prometheus::Histogram* translation_seconds_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  model::PorticoConfig config_ ABSL_GUARDED_BY(mu_);
  bool dirty_ ABSL_GUARDED_BY(mu_) = false;
  absl::Time first_change_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();  // of the pending batch
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t count_ ABSL_GUARDED_BY(mu_) = 0;
  std::map<std::string, absl::Time> last_seen_;  // service → last time it had instances; loop thread
  std::thread thread_;
};

}  // namespace portico::cp::translator
