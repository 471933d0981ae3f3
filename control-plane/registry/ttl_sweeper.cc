#include "control-plane/registry/ttl_sweeper.h"

#include "absl/time/clock.h"
#include "common/logging.h"

namespace portico::cp::registry {

TtlSweeper::TtlSweeper(Store& store, absl::Duration interval, RevocationStore* revocations)
    : store_(store), revocations_(revocations), interval_(interval) {
  thread_ = std::thread([this] {
    std::unique_lock<std::mutex> lock(mu_);
    while (!cv_.wait_for(lock, absl::ToChronoNanoseconds(interval_), [this] { return stopping_; })) {
      lock.unlock();
      const int expired = store_.expire(absl::Now());
      if (expired > 0) {
        PORTICO_LOG(kInfo, "registry: ", expired, " instance(s) expired (no heartbeat within their TTL)");
      }
      if (revocations_ != nullptr) {
        if (const int dropped = revocations_->expire(); dropped > 0) {
          PORTICO_LOG(kInfo, "jwt: ", dropped, " revocation(s) dropped (past their expires_at: exp refuses them)");
        }
      }
      lock.lock();
    }
  });
}

TtlSweeper::~TtlSweeper() { stop(); }

void TtlSweeper::stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) {
    thread_.join();
  }
}

}  // namespace portico::cp::registry
