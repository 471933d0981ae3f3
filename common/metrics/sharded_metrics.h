#pragma once

// Counters and histograms for hot paths: each series keeps one cache-line-aligned shard per
// writer thread (a proxy worker), written with relaxed atomics and no read-modify-write
// contention, and summed only when Prometheus scrapes. prometheus-cpp's own Histogram takes a
// mutex per Observe(), which we keep off the request path.
//
// Threading: get() may be called from any thread (it takes a mutex; call it when building
// config, not per request). inc()/observe() on shard `s` must only ever be called from the one
// thread that owns shard `s`. Collect() may run concurrently on the scrape thread.

#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <prometheus/collectable.h>
#include <prometheus/labels.h>
#include <prometheus/metric_family.h>

#include "absl/base/thread_annotations.h"

namespace portico::metrics {

// One counter series, sharded.
class ShardedCounter {
 public:
  explicit ShardedCounter(int shards) : shards_(static_cast<size_t>(shards)) {}
  void inc(int shard, uint64_t by = 1) {
    auto& cell = shards_[static_cast<size_t>(shard)].value;
    cell.store(cell.load(std::memory_order_relaxed) + by, std::memory_order_relaxed);
  }
  uint64_t total() const;

 private:
  struct alignas(64) Shard {
    std::atomic<uint64_t> value{0};
  };
  std::vector<Shard> shards_;
};

// One histogram series, sharded. Buckets are upper bounds, ascending; +Inf is implicit.
class ShardedHistogram {
 public:
  ShardedHistogram(const std::vector<double>& bounds, int shards);
  void observe(int shard, double value);
  // Cumulative bucket counts (size bounds+1), total count and sum over all shards.
  void snapshot(std::vector<uint64_t>& cumulative, uint64_t& count, double& sum) const;
  const std::vector<double>& bounds() const { return bounds_; }

 private:
  // Bucket counts in whole cache lines of their own: two workers' shards never share a line
  // (a plain vector's buffers can sit side by side on the heap, and every request writes one).
  struct alignas(64) Line {
    std::atomic<uint64_t> cells[8];
  };
  struct alignas(64) Shard {
    explicit Shard(size_t buckets) : lines((buckets + 7) / 8), size(buckets) {
      for (Line& line : lines) {
        for (auto& cell : line.cells) cell.store(0, std::memory_order_relaxed);
      }
    }
    std::atomic<uint64_t>& bucket(size_t i) { return lines[i / 8].cells[i % 8]; }
    const std::atomic<uint64_t>& bucket(size_t i) const { return lines[i / 8].cells[i % 8]; }
    std::vector<Line> lines;
    size_t size;
    std::atomic<uint64_t> count{0};
    std::atomic<double> sum{0};
  };
  std::vector<double> bounds_;
  std::deque<Shard> shards_;  // deque: Shard is not movable
};

// A named family of sharded counters, registered with a prometheus::Registry as a Collectable.
class CounterFamily : public prometheus::Collectable {
 public:
  CounterFamily(std::string name, std::string help, int shards);
  // Returns the series for these labels, creating it once; the pointer stays valid for the
  // family's lifetime.
  ShardedCounter* get(const prometheus::Labels& labels);
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  const std::string name_;
  const std::string help_;
  const int shards_;
  mutable std::mutex mu_;
  std::map<prometheus::Labels, std::unique_ptr<ShardedCounter>> series_ ABSL_GUARDED_BY(mu_);
};

class HistogramFamily : public prometheus::Collectable {
 public:
  HistogramFamily(std::string name, std::string help, std::vector<double> bounds, int shards);
  ShardedHistogram* get(const prometheus::Labels& labels);
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  const std::string name_;
  const std::string help_;
  const std::vector<double> bounds_;
  const int shards_;
  mutable std::mutex mu_;
  std::map<prometheus::Labels, std::unique_ptr<ShardedHistogram>> series_ ABSL_GUARDED_BY(mu_);
};

// Latency buckets in seconds, 100 µs to 30 s, suited to request durations at a gateway.
const std::vector<double>& latencyBuckets();

}  // namespace portico::metrics
