#pragma once

// Request coalescing: the misses on one key that arrive while its first miss (the leader) is
// upstream wait for the leader's response instead of each going upstream. ResponseStore keeps
// one CacheFill per key in flight; the waiters may be on any worker.
//
// A waiter never blocks its worker: it waits on a timer of its own worker (waitForFill), and
// finish() wakes it by posting the timer's cancellation to that worker's executor, so the timer
// is only ever touched on its own thread. The leader's request must always finish its fill,
// whatever happens to it (the cache filter does it from its per-request data's destructor).
//
// Threading: CacheFill's methods may be called from any thread.

#include <chrono>
#include <memory>
#include <mutex>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "data-plane/net/executor.h"

namespace portico::dp::filters::cache {

// One waiting request. Its fields are only touched on its own worker (the executor's thread).
struct FillWaiter {
  explicit FillWaiter(net::Executor executor_in) : executor(executor_in) {}
  net::Executor executor;
  net::Timer* timer = nullptr;  // set while the request waits; a wake-up cancels it
};

class CacheFill {
 public:
  // Adds a waiter to wake; false when the fill has finished already (look again at once).
  bool addWaiter(std::shared_ptr<FillWaiter> waiter);
  // Marks the fill finished and wakes its waiters. Idempotent.
  void finish();
  bool finished() const;
  // Whether any request waited for this fill (so far).
  bool hadWaiters() const;

 private:
  mutable std::mutex mu_;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  bool had_waiters_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::shared_ptr<FillWaiter>> waiters_ ABSL_GUARDED_BY(mu_);
};
using CacheFillPtr = std::shared_ptr<CacheFill>;

// Waits on the calling worker until `fill` finishes or `deadline` passes; true when it
// finished. Must run on a worker's executor.
net::Awaitable<bool> waitForFill(CacheFillPtr fill, std::chrono::steady_clock::time_point deadline);

}  // namespace portico::dp::filters::cache
