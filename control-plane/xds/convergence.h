#pragma once

// portico_cp_proxy_convergence_seconds: per stream, the time from the config or registry change
// that produced a snapshot to the moment the proxy has ACKed every response that snapshot's push
// sent it. A push that arrives before the previous one is fully ACKed keeps the earlier change
// time (the proxy converges on both at once); a NACK abandons the measurement.
//
// Threading: owned by one stream and called under its mutex.

#include <set>
#include <string>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace prometheus {
class Histogram;
}

namespace portico::cp::xds {

class ConvergenceTracker {
 public:
  explicit ConvergenceTracker(prometheus::Histogram* histogram) : histogram_(histogram) {}

  // A push caused by a change at `change_time` sent a response with `nonce`.
  void pushed(absl::Time change_time, const std::string& nonce);
  void acked(const std::string& nonce);
  void nacked(const std::string& nonce);

 private:
  prometheus::Histogram* histogram_;
  absl::Time since_ = absl::InfiniteFuture();
  std::set<std::string> outstanding_;
};

}  // namespace portico::cp::xds
