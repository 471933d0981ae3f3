#pragma once

// Expires instances whose lease ran out: a thread that asks the store to expire every
// `interval`. An instance therefore disappears within ttl + interval of its last heartbeat.
// With a revocation store, it also drops revocations past their expires_at (+ grace).

#include <condition_variable>
#include <mutex>
#include <thread>

#include "absl/time/time.h"
#include "control-plane/registry/revocation_store.h"
#include "control-plane/registry/store.h"

namespace portico::cp::registry {

class TtlSweeper {
 public:
  // `revocations` may be null; it must outlive the sweeper otherwise.
  TtlSweeper(Store& store, absl::Duration interval, RevocationStore* revocations = nullptr);
  ~TtlSweeper();
  void stop();

 private:
  Store& store_;
  RevocationStore* revocations_;
  const absl::Duration interval_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace portico::cp::registry
