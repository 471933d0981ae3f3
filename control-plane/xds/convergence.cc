#include "control-plane/xds/convergence.h"

#include <prometheus/histogram.h>

namespace portico::cp::xds {

void ConvergenceTracker::pushed(absl::Time change_time, const std::string& nonce) {
  if (change_time == absl::InfinitePast()) {
    return;  // a snapshot with no recorded change (tests, start-up)
  }
  if (outstanding_.empty()) {
    since_ = change_time;
  }
  outstanding_.insert(nonce);
}

void ConvergenceTracker::acked(const std::string& nonce) {
  if (outstanding_.erase(nonce) == 0 || !outstanding_.empty()) {
    return;
  }
  histogram_->Observe(absl::ToDoubleSeconds(absl::Now() - since_));
  since_ = absl::InfiniteFuture();
}

void ConvergenceTracker::nacked(const std::string& nonce) {
  if (outstanding_.erase(nonce) > 0) {
    outstanding_.clear();  // this push will not converge; wait for the next one
    since_ = absl::InfiniteFuture();
  }
}

}  // namespace portico::cp::xds
