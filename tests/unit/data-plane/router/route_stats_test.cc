#include "data-plane/router/route_stats.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include <prometheus/metric_family.h>

namespace portico::dp::router {
namespace {

std::string labelOf(const prometheus::ClientMetric& metric, const std::string& name) {
  for (const auto& label : metric.label) {
    if (label.name == name) {
      return label.value;
    }
  }
  return "<unset>";
}

// code → count for one (route, service), from the requests family.
std::map<std::string, double> countsByCode(const RouteStatsStore& store, const std::string& route,
                                           const std::string& service) {
  std::map<std::string, double> out;
  for (const auto& family : store.requestsFamily()->Collect()) {
    for (const auto& metric : family.metric) {
      if (labelOf(metric, "route") == route && labelOf(metric, "service") == service) {
        out[labelOf(metric, "code")] += metric.counter.value;
      }
    }
  }
  return out;
}

const prometheus::ClientMetric* durationOf(const std::vector<prometheus::MetricFamily>& families,
                                           const std::string& route, const std::string& service) {
  for (const auto& family : families) {
    for (const auto& metric : family.metric) {
      if (labelOf(metric, "route") == route && labelOf(metric, "service") == service) {
        return &metric;
      }
    }
  }
  return nullptr;
}

TEST(RouteStatsStoreTest, InternsByRouteAndService) {
  RouteStatsStore store(2);
  RouteStats* a = store.get("orders", "orders-svc");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(store.get("orders", "orders-svc"), a);
  EXPECT_NE(store.get("orders", "other-svc"), a);
  EXPECT_NE(store.get("users", "orders-svc"), a);
  EXPECT_NE(store.get("orders", "other-svc"), store.get("users", "orders-svc"));
}

TEST(RouteStatsStoreTest, FamilyNames) {
  RouteStatsStore store(1);
  auto requests = store.requestsFamily()->Collect();
  auto duration = store.durationFamily()->Collect();
  ASSERT_EQ(requests.size(), 1u);
  ASSERT_EQ(duration.size(), 1u);
  EXPECT_EQ(requests[0].name, "portico_proxy_requests_total");
  EXPECT_EQ(requests[0].type, prometheus::MetricType::Counter);
  EXPECT_EQ(duration[0].name, "portico_proxy_request_duration_seconds");
  EXPECT_EQ(duration[0].type, prometheus::MetricType::Histogram);
}

TEST(RouteStatsTest, RecordCountsPerCodeAcrossShardsAndFillsTheHistogram) {
  RouteStatsStore store(3);
  RouteStats* stats = store.get("orders", "orders-svc");
  stats->record(0, 200, 0.010);
  stats->record(1, 200, 0.020);
  stats->record(2, 200, 0.030);
  stats->record(0, 404, 0.001);
  stats->record(2, 503, 1.5);
  stats->record(1, 503, 0.5);

  EXPECT_EQ(countsByCode(store, "orders", "orders-svc"),
            (std::map<std::string, double>{{"200", 3}, {"404", 1}, {"503", 2}}));

  const auto families = store.durationFamily()->Collect();
  const prometheus::ClientMetric* duration = durationOf(families, "orders", "orders-svc");
  ASSERT_NE(duration, nullptr);
  EXPECT_EQ(duration->histogram.sample_count, 6u);
  EXPECT_NEAR(duration->histogram.sample_sum, 2.061, 1e-9);
  ASSERT_FALSE(duration->histogram.bucket.empty());
  EXPECT_EQ(duration->histogram.bucket.back().cumulative_count, 6u);
}

TEST(RouteStatsTest, RoutesAndServicesAreSeparateSeries) {
  RouteStatsStore store(1);
  store.get("a", "svc")->record(0, 200, 0.1);
  store.get("b", "svc")->record(0, 200, 0.1);
  store.get("b", "svc")->record(0, 200, 0.1);
  store.get("a", "other")->record(0, 500, 0.1);
  EXPECT_EQ(countsByCode(store, "a", "svc"), (std::map<std::string, double>{{"200", 1}}));
  EXPECT_EQ(countsByCode(store, "b", "svc"), (std::map<std::string, double>{{"200", 2}}));
  EXPECT_EQ(countsByCode(store, "a", "other"), (std::map<std::string, double>{{"500", 1}}));
  const auto families = store.durationFamily()->Collect();
  ASSERT_NE(durationOf(families, "b", "svc"), nullptr);
  EXPECT_EQ(durationOf(families, "b", "svc")->histogram.sample_count, 2u);
}

TEST(RouteStatsTest, MoreThanSixteenDistinctCodesAreAllCounted) {
  RouteStatsStore store(2);
  RouteStats* stats = store.get("r", "s");
  std::map<std::string, double> expected;
  // 24 distinct codes: the first 16 take the lock-free slots, the rest use the family lookup.
  for (int i = 0; i < 24; ++i) {
    const int code = 200 + i;
    for (int n = 0; n <= i % 3; ++n) {
      stats->record(n % 2, code, 0.001);
      expected[std::to_string(code)] += 1;
    }
  }
  // Once more for a code in a slot and a code on the fallback path.
  stats->record(1, 200, 0.001);
  expected["200"] += 1;
  stats->record(0, 223, 0.001);
  expected["223"] += 1;
  EXPECT_EQ(countsByCode(store, "r", "s"), expected);
}

TEST(RouteStatsTest, CountersSurviveAcrossGetCalls) {
  RouteStatsStore store(1);
  store.get("r", "s")->record(0, 200, 0.1);
  // A later config compile resolves the same (route, service) again.
  store.get("r", "s")->record(0, 200, 0.1);
  EXPECT_EQ(countsByCode(store, "r", "s"), (std::map<std::string, double>{{"200", 2}}));
}

// Any status, even a bogus 0 from an upstream, owns its own slot and counter.
TEST(RouteStatsTest, StatusZeroDoesNotCaptureLaterCodes) {
  RouteStatsStore store(1);
  RouteStats* stats = store.get("r", "s");
  stats->record(0, 0, 0.001);
  stats->record(0, 200, 0.001);
  stats->record(0, 200, 0.001);
  EXPECT_EQ(countsByCode(store, "r", "s"), (std::map<std::string, double>{{"0", 1}, {"200", 2}}));
}

}  // namespace
}  // namespace portico::dp::router
