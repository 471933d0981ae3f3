#include "control-plane/registry/purge_log.h"

#include <random>

#include "absl/time/clock.h"
#include "common/strings.h"

namespace portico::cp::registry {

namespace {

// A non-zero epoch no earlier run of this process is likely to have used.
uint64_t randomEpoch() {
  std::random_device device;
  uint64_t epoch = (static_cast<uint64_t>(device()) << 32) ^ device() ^ static_cast<uint64_t>(absl::ToUnixNanos(absl::Now()));
  epoch &= (uint64_t{1} << 53) - 1;  // exact in JSON numbers (the config dump renders uint64 as a string anyway)
  return epoch == 0 ? 1 : epoch;
}

}  // namespace

absl::Status validatePurge(std::string_view route, std::string_view path_prefix) {
  if (route.size() > kMaxPurgeRouteBytes) {
    return absl::InvalidArgumentError(cat("route: ", route.size(), " bytes is too long (at most ", kMaxPurgeRouteBytes, ")"));
  }
  for (unsigned char c : route) {
    if (c < 0x20 || c == 0x7f) return absl::InvalidArgumentError("route: control characters are not allowed");
  }
  if (path_prefix.empty()) return absl::OkStatus();
  if (path_prefix.front() != '/') {
    return absl::InvalidArgumentError(cat("prefix: \"", path_prefix, "\" must start with '/'"));
  }
  if (path_prefix.size() > kMaxPurgePrefixBytes) {
    return absl::InvalidArgumentError(
        cat("prefix: ", path_prefix.size(), " bytes is too long (at most ", kMaxPurgePrefixBytes, ")"));
  }
  for (unsigned char c : path_prefix) {
    // A request path is visible ASCII (percent-encoded otherwise): anything else matches nothing.
    if (c <= 0x20 || c >= 0x7f) {
      return absl::InvalidArgumentError("prefix: only visible ASCII characters (percent-encode the others)");
    }
    if (c == '?' || c == '#') return absl::InvalidArgumentError("prefix: a path prefix has no query or fragment");
  }
  return absl::OkStatus();
}

PurgeLog::PurgeLog(Options options)
    : options_(std::move(options)), epoch_(options_.epoch != 0 ? options_.epoch : randomEpoch()) {
  if (!options_.clock) options_.clock = [] { return absl::Now(); };
  if (options_.max_entries == 0) options_.max_entries = 1;
}

CachePurge PurgeLog::add(std::string route, std::string path_prefix) {
  CachePurge purge;
  {
    std::lock_guard<std::mutex> lock(mu_);
    purge = CachePurge{next_id_++, std::move(route), std::move(path_prefix), options_.clock()};
    purges_.push_back(purge);
    while (purges_.size() > options_.max_entries) purges_.pop_front();
  }
  if (on_change_) on_change_();
  return purge;
}

PurgeList PurgeLog::list() const {
  PurgeList out;
  out.epoch = epoch_;
  std::lock_guard<std::mutex> lock(mu_);
  out.purges.assign(purges_.begin(), purges_.end());
  return out;
}

}  // namespace portico::cp::registry
