#pragma once

// One request's lookup, from the cache filter's decodeHeaders to its encodeHeaders (its
// FilterRequestData). A leader that never reaches encodeHeaders (the request failed or was
// abandoned) still finishes its fill here, so its waiters never wait past the leader's request.
// Lives on the request's worker.

#include <optional>
#include <string>

#include "data-plane/filters/cache/cache_fill.h"
#include "data-plane/filters/cache/response_store.h"
#include "data-plane/http/filter.h"
#include "data-plane/net/executor.h"

namespace portico::dp::filters::cache {

class CacheRequest : public http::FilterRequestData {
 public:
  explicit CacheRequest(ResponseStore& store) : store_(store) {}
  ~CacheRequest() override { finishFill(); }

  void finishFill() {
    if (leader) store_.finishFill(key, fill);
    leader = false;
    fill.reset();
  }
  // Hands the fill this request leads to whoever finishes it later (a store still in flight).
  CacheFillPtr releaseFill() {
    leader = false;
    return std::move(fill);
  }

  std::string primary;     // the request's primary key
  std::string key;         // the key looked up last (and that a fill is for)
  CacheFillPtr fill;       // the fill this request leads or waits for
  bool leader = false;
  bool hit = false;
  uint64_t generation = 0;  // the store's purge generation when the request started

  // Backend REDIS (redis_lookup.h).
  bool redis = false;
  bool redis_failed = false;          // the lookup failed: nothing is stored either
  std::string head;                   // redis_keys::entryHead of the request
  std::string generations;            // from the lookup: part of the entry keys
  std::string fences;                 // from the lookup: for the store
  std::optional<net::Executor> executor;  // the worker's, for the store after the response

 private:
  ResponseStore& store_;
};

}  // namespace portico::dp::filters::cache
