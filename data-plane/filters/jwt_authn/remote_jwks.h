#pragma once

// One remote key set (a JWKS URI with its CA and cache settings), shared by every provider of
// every snapshot that names it and kept by the JwksRegistry across snapshots (jwks_registry.h).
//
// Lifecycle: created with a fetch already due; the registry's thread fetches it at once, then
// again shortly before each cache_duration runs out (so no request ever waits for a refresh),
// and after a failure with a back-off of 1 s doubling to 30 s. A failed fetch never drops the
// keys in hand: the last good set keeps serving (logged and counted). A token whose kid the set
// lacks asks for a refetch (requestRefetch), honoured at most once per min_refetch_interval, so
// a flood of made-up kids costs at most one fetch per interval.
//
// Reading keys on a worker costs an acquire load of the generation counter: each worker keeps
// its own shared_ptr to the current set in a slot of its own (one cache line each), refreshed
// under the mutex only when the registry has published a newer set. So the hot path takes no
// lock and touches no cache line another core writes, and the handoff is ordered by the mutex.
//
// A request that needs keys while a fetch is under way (the first one, or a refetch it asked
// for) waits for it with waitForFetch(), bounded by the fetch timeout: the registry's thread
// wakes the waiting workers by posting to their executors.
//
// Threading: keys(), fetching(), requestRefetch(), waitForFetch() on workers (keys() only with
// the caller's own worker index); beginFetch(), publish(), fetchDone() on the registry's thread.

#include <boost/asio/io_context.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/time/time.h"
#include "data-plane/filters/jwt_authn/jwks.h"
#include "data-plane/net/executor.h"

namespace portico::dp::filters::jwt_authn {

struct RemoteJwksSettings {
  std::string uri;
  std::string ca_file;
  absl::Duration timeout = absl::Seconds(5);
  absl::Duration cache_duration = absl::Minutes(10);

  // Identity of an entry in the registry.
  std::string key() const;
};

class RemoteJwks {
 public:
  // `wake` asks the registry's thread to start a fetch now (it posts; callable from any thread).
  RemoteJwks(RemoteJwksSettings settings, size_t worker_count, absl::Duration min_refetch_interval,
             std::function<void()> wake);
  ~RemoteJwks();
  RemoteJwks(const RemoteJwks&) = delete;
  RemoteJwks& operator=(const RemoteJwks&) = delete;

  const RemoteJwksSettings& settings() const { return settings_; }

  // --- workers ---
  // The current key set as worker `worker` sees it; null until a fetch has succeeded. Valid
  // until this worker's next call.
  const Jwks* keys(size_t worker) const;
  // True while a fetch is under way.
  bool fetching() const { return fetching_.load(std::memory_order_acquire); }
  // A token names a key the set lacks (or there is no set): fetch again, unless a fetch asked
  // for this way started less than min_refetch_interval ago. True when a fetch is under way
  // after the call (this one or one already running).
  bool requestRefetch();
  // Waits until the fetch under way completes, at most the fetch timeout (plus a margin). Runs
  // on the calling worker's executor.
  net::Awaitable<void> waitForFetch() const;

  // --- registry thread ---
  void beginFetch();
  void publish(JwksConstSharedPtr keys);
  // The fetch ended (either way): wakes the waiting requests.
  void fetchDone();
  // True once a fetch has succeeded (any thread).
  bool hasKeys() const;

 private:
  struct Waiter;
  struct alignas(64) Slot {
    uint64_t generation = 0;
    JwksConstSharedPtr keys;
  };

  const RemoteJwksSettings settings_;
  const int64_t min_refetch_interval_ns_;
  const std::function<void()> wake_;
  const size_t slot_count_;
  const std::unique_ptr<Slot[]> slots_;  // each touched only by its worker
  std::atomic<uint64_t> generation_{0};
  std::atomic<bool> fetching_{true};     // a fetch is due at creation
  std::atomic<int64_t> next_refetch_ns_{0};
  mutable std::mutex mu_;
  JwksConstSharedPtr current_ ABSL_GUARDED_BY(mu_);
  mutable std::vector<std::shared_ptr<Waiter>> waiters_ ABSL_GUARDED_BY(mu_);
};

}  // namespace portico::dp::filters::jwt_authn
