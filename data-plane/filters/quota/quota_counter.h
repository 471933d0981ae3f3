#pragma once

// A quota's counters in Redis: one per key (limit_key.h) per calendar period
// (quota_period.h), counted by one atomic script (GET, and INCR only while under the limit), so
// proxies sharing the Redis server never admit more than the limit together. A counter expires
// a day after its period ended (kept that long for inspection); a new period starts at 0.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "data-plane/filters/quota/quota_period.h"
#include "data-plane/net/executor.h"

namespace portico::dp::redis {
class Client;
}

namespace portico::dp::filters::quota {

class QuotaCounter {
 public:
  struct Settings {
    uint64_t limit = 0;
    PeriodKind period = PeriodKind::kMonth;
    std::chrono::milliseconds timeout{50};
    std::string key_prefix;  // "portico:quota:<scope>:"
  };
  struct Decision {
    bool allowed = false;
    uint64_t remaining = 0;
    std::chrono::seconds reset{0};  // until the period ends
  };

  QuotaCounter(std::shared_ptr<redis::Client> client, Settings settings);

  // Counts one request of `bucket` in the period that contains `now`.
  net::Awaitable<absl::StatusOr<Decision>> take(size_t worker, const std::string& bucket,
                                                std::chrono::system_clock::time_point now) const;

  const Settings& settings() const { return settings_; }

 private:
  std::shared_ptr<redis::Client> client_;
  Settings settings_;
};

}  // namespace portico::dp::filters::quota
