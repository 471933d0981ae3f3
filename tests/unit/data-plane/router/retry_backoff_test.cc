// Retry back-off: exponential ceilings capped at max, full jitter within [0, ceiling].

#include "data-plane/router/retry_backoff.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace portico::dp::router {
namespace {

TEST(RetryBackoffTest, CeilingDoublesUpToMax) {
  RetryBackoff backoff(absl::Milliseconds(25), absl::Milliseconds(250));
  std::vector<absl::Duration> ceilings;
  for (int i = 0; i < 6; ++i) {
    ceilings.push_back(backoff.ceiling());
    backoff.next(0);
  }
  EXPECT_EQ(ceilings,
            (std::vector<absl::Duration>{absl::Milliseconds(25), absl::Milliseconds(50),
                                         absl::Milliseconds(100), absl::Milliseconds(200),
                                         absl::Milliseconds(250), absl::Milliseconds(250)}));
}

TEST(RetryBackoffTest, WaitsStayWithinZeroAndTheCeiling) {
  RetryBackoff backoff(absl::Milliseconds(10), absl::Milliseconds(80));
  std::mt19937_64 random(7);
  for (int i = 0; i < 50; ++i) {
    const absl::Duration ceiling = backoff.ceiling();
    const absl::Duration wait = backoff.next(random());
    EXPECT_GE(wait, absl::ZeroDuration());
    EXPECT_LE(wait, ceiling);
    EXPECT_LE(wait, absl::Milliseconds(80));
  }
}

TEST(RetryBackoffTest, ExtremesOfTheRandomNumber) {
  RetryBackoff low(absl::Milliseconds(25), absl::Milliseconds(250));
  EXPECT_EQ(low.next(0), absl::ZeroDuration()) << "full jitter: a wait may be zero";
  RetryBackoff high(absl::Milliseconds(25), absl::Milliseconds(250));
  EXPECT_EQ(high.next(25000), absl::Milliseconds(25)) << "the ceiling itself is reachable";
  EXPECT_EQ(high.next(50000), absl::Milliseconds(50)) << "the second ceiling, 50 ms, too";
}

// Jitter spreads: over many draws every tenth of [0, ceiling] is hit, and the mean is near the
// middle. Deterministic (fixed seed), so not flaky.
TEST(RetryBackoffTest, JitterSpreadsOverTheWholeRange) {
  std::mt19937_64 random(42);
  std::vector<int> deciles(10, 0);
  double sum_ms = 0;
  constexpr int kDraws = 5000;
  for (int i = 0; i < kDraws; ++i) {
    RetryBackoff backoff(absl::Milliseconds(100), absl::Seconds(1));
    const double ms = absl::ToDoubleMilliseconds(backoff.next(random()));
    sum_ms += ms;
    deciles[std::min(9, static_cast<int>(ms / 10))]++;
  }
  for (int count : deciles) EXPECT_GT(count, kDraws / 20);
  EXPECT_NEAR(sum_ms / kDraws, 50.0, 3.0);
}

TEST(RetryBackoffTest, MaxBelowBaseIsClampedToBase) {
  RetryBackoff backoff(absl::Milliseconds(40), absl::Milliseconds(10));
  EXPECT_EQ(backoff.ceiling(), absl::Milliseconds(40));
  backoff.next(1);
  EXPECT_EQ(backoff.ceiling(), absl::Milliseconds(40));
}

}  // namespace
}  // namespace portico::dp::router
