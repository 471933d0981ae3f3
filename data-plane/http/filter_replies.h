#pragma once

// Counts the local answers of one filter of a chain, by status:
// portico_proxy_filter_replies_total{filter="<http_filters name>", status="401"} — 401/403
// from authentication and authorization, 429 from rate limiting, 413 from size limits, 503
// from fail-closed refusals, 200 for answered CORS preflights. The series are resolved when the
// chain is compiled; counting is one relaxed store on the worker's own shard.

#include <array>
#include <memory>
#include <string>

#include "common/metrics/sharded_metrics.h"

namespace portico::dp::http {

class FilterReplies {
 public:
  // `family` may be null: nothing is counted.
  FilterReplies(metrics::CounterFamily* family, const std::string& filter);

  void count(size_t worker, int status) const;

  // The family's name and help, for main to create it.
  static constexpr char kName[] = "portico_proxy_filter_replies_total";
  static constexpr char kHelp[] = "Requests a filter answered itself instead of forwarding, by filter and status";

 private:
  static constexpr std::array<int, 7> kStatuses = {200, 401, 403, 413, 429, 500, 503};
  std::array<metrics::ShardedCounter*, kStatuses.size() + 1> counters_{};  // last: any other
};

}  // namespace portico::dp::http
