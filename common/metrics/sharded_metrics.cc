#include "common/metrics/sharded_metrics.h"

#include <algorithm>
#include <limits>

namespace portico::metrics {

uint64_t ShardedCounter::total() const {
  uint64_t sum = 0;
  for (const Shard& shard : shards_) {
    sum += shard.value.load(std::memory_order_relaxed);
  }
  return sum;
}

ShardedHistogram::ShardedHistogram(const std::vector<double>& bounds, int shards) : bounds_(bounds) {
  for (int i = 0; i < shards; ++i) {
    shards_.emplace_back(bounds_.size() + 1);
  }
}

void ShardedHistogram::observe(int shard_index, double value) {
  Shard& shard = shards_[static_cast<size_t>(shard_index)];
  const size_t bucket = static_cast<size_t>(
      std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin());
  // Single writer per shard: plain load + store, no atomic read-modify-write needed.
  auto& cell = shard.bucket(bucket);
  cell.store(cell.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  shard.sum.store(shard.sum.load(std::memory_order_relaxed) + value, std::memory_order_relaxed);
  shard.count.store(shard.count.load(std::memory_order_relaxed) + 1, std::memory_order_release);
}

void ShardedHistogram::snapshot(std::vector<uint64_t>& cumulative, uint64_t& count,
                                double& sum) const {
  cumulative.assign(bounds_.size() + 1, 0);
  count = 0;
  sum = 0;
  for (const Shard& shard : shards_) {
    count += shard.count.load(std::memory_order_acquire);
    sum += shard.sum.load(std::memory_order_relaxed);
    for (size_t i = 0; i < shard.size; ++i) {
      cumulative[i] += shard.bucket(i).load(std::memory_order_relaxed);
    }
  }
  for (size_t i = 1; i < cumulative.size(); ++i) {
    cumulative[i] += cumulative[i - 1];
  }
  // Bucket sums are the truth for the +Inf bucket; keep count consistent with them under a
  // concurrent writer.
  count = cumulative.back();
}

namespace {

std::vector<prometheus::ClientMetric::Label> toLabels(const prometheus::Labels& labels) {
  std::vector<prometheus::ClientMetric::Label> out;
  for (const auto& [name, value] : labels) {
    out.push_back({name, value});
  }
  return out;
}

}  // namespace

CounterFamily::CounterFamily(std::string name, std::string help, int shards)
    : name_(std::move(name)), help_(std::move(help)), shards_(shards) {}

ShardedCounter* CounterFamily::get(const prometheus::Labels& labels) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& slot = series_[labels];
  if (!slot) {
    slot = std::make_unique<ShardedCounter>(shards_);
  }
  return slot.get();
}

std::vector<prometheus::MetricFamily> CounterFamily::Collect() const {
  prometheus::MetricFamily family;
  family.name = name_;
  family.help = help_;
  family.type = prometheus::MetricType::Counter;
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [labels, series] : series_) {
    prometheus::ClientMetric metric;
    metric.label = toLabels(labels);
    metric.counter.value = static_cast<double>(series->total());
    family.metric.push_back(std::move(metric));
  }
  return {std::move(family)};
}

HistogramFamily::HistogramFamily(std::string name, std::string help, std::vector<double> bounds,
                                 int shards)
    : name_(std::move(name)), help_(std::move(help)), bounds_(std::move(bounds)), shards_(shards) {}

ShardedHistogram* HistogramFamily::get(const prometheus::Labels& labels) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& slot = series_[labels];
  if (!slot) {
    slot = std::make_unique<ShardedHistogram>(bounds_, shards_);
  }
  return slot.get();
}

std::vector<prometheus::MetricFamily> HistogramFamily::Collect() const {
  prometheus::MetricFamily family;
  family.name = name_;
  family.help = help_;
  family.type = prometheus::MetricType::Histogram;
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<uint64_t> cumulative;
  for (const auto& [labels, series] : series_) {
    uint64_t count = 0;
    double sum = 0;
    series->snapshot(cumulative, count, sum);
    prometheus::ClientMetric metric;
    metric.label = toLabels(labels);
    metric.histogram.sample_count = count;
    metric.histogram.sample_sum = sum;
    for (size_t i = 0; i < bounds_.size(); ++i) {
      metric.histogram.bucket.push_back({cumulative[i], bounds_[i]});
    }
    metric.histogram.bucket.push_back({cumulative.back(), std::numeric_limits<double>::infinity()});
    family.metric.push_back(std::move(metric));
  }
  return {std::move(family)};
}

const std::vector<double>& latencyBuckets() {
  static const std::vector<double> kBuckets = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                               0.01,   0.025,   0.05,   0.1,   0.25,   0.5,
                                               1,      2.5,     5,      10,    30};
  return kBuckets;
}

}  // namespace portico::metrics
