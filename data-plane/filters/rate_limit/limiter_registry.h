#pragma once

// The rate-limit counters of the whole process, kept across configuration pushes: a limit
// (identified by its plugin instance and settings) keeps its buckets while it is in some
// snapshot, so a push changing something else does not hand every client fresh tokens. A
// changed limit starts with full buckets. Held weakly: a limit no snapshot uses is freed with
// its last snapshot.
//
// Threading: get() on the xDS thread (snapshot compilation); the tables are used by workers.

#include <memory>
#include <mutex>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "data-plane/filters/rate_limit/bucket_table.h"

namespace portico::dp::http {

class RateLimiterRegistry {
 public:
  // The table for `identity`, created with `shape` and `interval` when there is none alive.
  std::shared_ptr<filters::rate_limit::BucketTable> get(const std::string& identity,
                                                        const filters::rate_limit::BucketShape& shape,
                                                        filters::rate_limit::BucketTable::Clock::duration interval);

 private:
  std::mutex mu_;
  absl::flat_hash_map<std::string, std::weak_ptr<filters::rate_limit::BucketTable>> tables_ ABSL_GUARDED_BY(mu_);
};

}  // namespace portico::dp::http
