#include "common/metrics/sharded_metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <thread>

#include "common/metrics/exposition.h"

namespace portico::metrics {
namespace {

using ::testing::HasSubstr;

TEST(ShardedCounterTest, TotalSumsEveryShard) {
  ShardedCounter counter(4);
  EXPECT_EQ(counter.total(), 0u);
  counter.inc(0);
  counter.inc(1, 10);
  counter.inc(3, 100);
  counter.inc(3);
  EXPECT_EQ(counter.total(), 112u);
}

TEST(ShardedCounterTest, OneWriterPerShardFromManyThreads) {
  constexpr int kShards = 4;
  constexpr int kPerThread = 10000;
  ShardedCounter counter(kShards);
  std::vector<std::thread> threads;
  for (int s = 0; s < kShards; ++s) {
    threads.emplace_back([&counter, s] {
      for (int i = 0; i < kPerThread; ++i) {
        counter.inc(s);
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  EXPECT_EQ(counter.total(), static_cast<uint64_t>(kShards * kPerThread));
}

TEST(ShardedHistogramTest, CumulativeBucketsCountAndSum) {
  ShardedHistogram histogram({0.1, 0.5, 1.0}, 3);
  histogram.observe(0, 0.05);
  histogram.observe(1, 0.1);  // on a bound: counted in that bucket (le is inclusive)
  histogram.observe(2, 0.3);
  histogram.observe(0, 0.75);
  histogram.observe(1, 2.0);  // above every bound: +Inf only
  std::vector<uint64_t> cumulative;
  uint64_t count = 0;
  double sum = 0;
  histogram.snapshot(cumulative, count, sum);
  EXPECT_EQ(cumulative, (std::vector<uint64_t>{2, 3, 4, 5}));
  EXPECT_EQ(count, 5u);
  EXPECT_NEAR(sum, 3.2, 1e-9);
}

TEST(ShardedHistogramTest, EmptySnapshot) {
  ShardedHistogram histogram({1, 2}, 2);
  std::vector<uint64_t> cumulative = {7};
  uint64_t count = 9;
  double sum = 9;
  histogram.snapshot(cumulative, count, sum);
  EXPECT_EQ(cumulative, (std::vector<uint64_t>{0, 0, 0}));
  EXPECT_EQ(count, 0u);
  EXPECT_EQ(sum, 0);
}

TEST(CounterFamilyTest, GetReturnsOneSeriesPerLabelSet) {
  CounterFamily family("portico_test_requests_total", "Requests", 2);
  ShardedCounter* a = family.get({{"route", "a"}});
  ShardedCounter* a_again = family.get({{"route", "a"}});
  ShardedCounter* b = family.get({{"route", "b"}});
  EXPECT_EQ(a, a_again);
  EXPECT_NE(a, b);
}

TEST(CounterFamilyTest, CollectSumsShardsPerSeries) {
  CounterFamily family("portico_test_requests_total", "Requests", 2);
  family.get({{"route", "a"}, {"code", "200"}})->inc(0, 3);
  family.get({{"route", "a"}, {"code", "200"}})->inc(1, 4);
  family.get({{"route", "b"}, {"code", "503"}})->inc(1);

  std::vector<prometheus::MetricFamily> collected = family.Collect();
  ASSERT_EQ(collected.size(), 1u);
  const prometheus::MetricFamily& f = collected[0];
  EXPECT_EQ(f.name, "portico_test_requests_total");
  EXPECT_EQ(f.help, "Requests");
  EXPECT_EQ(f.type, prometheus::MetricType::Counter);
  ASSERT_EQ(f.metric.size(), 2u);
  // Series in label order; labels in name order.
  ASSERT_EQ(f.metric[0].label.size(), 2u);
  EXPECT_EQ(f.metric[0].label[0].name, "code");
  EXPECT_EQ(f.metric[0].label[0].value, "200");
  EXPECT_EQ(f.metric[0].label[1].name, "route");
  EXPECT_EQ(f.metric[0].label[1].value, "a");
  EXPECT_EQ(f.metric[0].counter.value, 7);
  EXPECT_EQ(f.metric[1].label[1].value, "b");
  EXPECT_EQ(f.metric[1].counter.value, 1);
}

TEST(HistogramFamilyTest, CollectHasCumulativeBucketsAndInf) {
  HistogramFamily family("portico_test_duration_seconds", "Durations", {0.1, 1}, 2);
  ShardedHistogram* series = family.get({{"route", "a"}});
  EXPECT_EQ(series, family.get({{"route", "a"}}));
  series->observe(0, 0.05);
  series->observe(1, 0.5);
  series->observe(1, 5);

  std::vector<prometheus::MetricFamily> collected = family.Collect();
  ASSERT_EQ(collected.size(), 1u);
  const prometheus::MetricFamily& f = collected[0];
  EXPECT_EQ(f.type, prometheus::MetricType::Histogram);
  ASSERT_EQ(f.metric.size(), 1u);
  const prometheus::ClientMetric::Histogram& h = f.metric[0].histogram;
  EXPECT_EQ(h.sample_count, 3u);
  EXPECT_NEAR(h.sample_sum, 5.55, 1e-9);
  ASSERT_EQ(h.bucket.size(), 3u);
  EXPECT_EQ(h.bucket[0].upper_bound, 0.1);
  EXPECT_EQ(h.bucket[0].cumulative_count, 1u);
  EXPECT_EQ(h.bucket[1].upper_bound, 1);
  EXPECT_EQ(h.bucket[1].cumulative_count, 2u);
  EXPECT_TRUE(std::isinf(h.bucket[2].upper_bound));
  EXPECT_EQ(h.bucket[2].cumulative_count, 3u);
}

TEST(ExpositionTest, RendersFamiliesInTextFormat) {
  auto counters = std::make_shared<CounterFamily>("portico_test_requests_total", "Requests", 1);
  counters->get({{"route", "a"}})->inc(0, 42);
  auto histograms = std::make_shared<HistogramFamily>("portico_test_duration_seconds", "Durations",
                                                      std::vector<double>{0.5}, 1);
  histograms->get({})->observe(0, 0.25);
  histograms->get({})->observe(0, 2);

  Exposition exposition;
  exposition.add(counters);
  exposition.add(histograms);
  const std::string text = exposition.render();
  EXPECT_THAT(text, HasSubstr("# TYPE portico_test_requests_total counter"));
  EXPECT_THAT(text, HasSubstr("portico_test_requests_total{route=\"a\"} 42"));
  EXPECT_THAT(text, HasSubstr("# TYPE portico_test_duration_seconds histogram"));
  EXPECT_THAT(text, HasSubstr("portico_test_duration_seconds_count 2"));
  EXPECT_THAT(text, HasSubstr("portico_test_duration_seconds_bucket{le=\"0.5\"} 1"));
  EXPECT_THAT(text, HasSubstr("portico_test_duration_seconds_bucket{le=\"+Inf\"} 2"));
}

TEST(LatencyBucketsTest, AscendingFrom100MicrosecondsTo30Seconds) {
  const std::vector<double>& buckets = latencyBuckets();
  ASSERT_FALSE(buckets.empty());
  EXPECT_EQ(buckets.front(), 0.0001);
  EXPECT_EQ(buckets.back(), 30);
  EXPECT_TRUE(std::is_sorted(buckets.begin(), buckets.end()));
}

}  // namespace
}  // namespace portico::metrics
