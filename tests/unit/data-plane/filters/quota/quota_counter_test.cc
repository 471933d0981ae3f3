// Quota counters in a real Redis, at chosen instants: the count is shared by proxies, stops at
// the limit, and starts again with the next day or month.

#include "data-plane/filters/quota/quota_counter.h"

#include <gtest/gtest.h>

#include "data-plane/redis/client.h"
#include "tests/support/redis_server.h"
#include "tests/support/test_env.h"
#include "tests/unit/data-plane/redis/redis_test_util.h"

namespace portico::dp::filters::quota {
namespace {

using namespace std::chrono;
using namespace std::chrono_literals;
using Result = absl::StatusOr<QuotaCounter::Decision>;

// Instants in the future: a counter expires a day after its period ends, by Redis's clock.
system_clock::time_point at(int y, unsigned m, unsigned d, int hh = 0, int mm = 0, int ss = 0) {
  return sys_days(year(y) / month(m) / day(d)) + hours(hh) + minutes(mm) + seconds(ss);
}

class QuotaCounterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = portico::testing::RedisServer::start(portico::testing::makeTempDir("redis-quota"));
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
  }

  std::unique_ptr<QuotaCounter> counter(PeriodKind period, uint64_t limit) {
    auto client = redis::privateClient(server_->address(), 1);
    EXPECT_TRUE(client.ok());
    QuotaCounter::Settings s;
    s.limit = limit;
    s.period = period;
    s.timeout = 2000ms;
    s.key_prefix = "t:quota:";
    return std::make_unique<QuotaCounter>(std::move(*client), s);
  }

  QuotaCounter::Decision take(const QuotaCounter& c, system_clock::time_point now) {
    auto r = redis::testing::runOne(io_, c.take(0, "consumer:alice", now));
    EXPECT_TRUE(r.has_value() && r->ok()) << (r.has_value() ? r->status().ToString() : "no result");
    return r.has_value() && r->ok() ? **r : QuotaCounter::Decision{};
  }

  boost::asio::io_context io_;
  std::unique_ptr<portico::testing::RedisServer> server_;
};

TEST_F(QuotaCounterTest, DailyQuotaIsSpentThenRenewedAtMidnight) {
  auto proxy_a = counter(PeriodKind::kDay, 3);
  auto proxy_b = counter(PeriodKind::kDay, 3);
  const auto evening = at(2031, 3, 14, 23, 59, 58);
  EXPECT_EQ(take(*proxy_a, evening).remaining, 2u);
  EXPECT_EQ(take(*proxy_b, evening).remaining, 1u) << "both proxies count in one place";
  EXPECT_TRUE(take(*proxy_a, evening).allowed);
  const auto spent = take(*proxy_b, evening + 1s);
  EXPECT_FALSE(spent.allowed);
  EXPECT_EQ(spent.remaining, 0u);
  EXPECT_EQ(spent.reset, 1s) << "until midnight";
  EXPECT_EQ(*server_->command({"GET", "t:quota:consumer:alice:d2031-03-14"}), "3") << "refusals are not counted";

  const auto next_day = take(*proxy_b, at(2031, 3, 15));
  EXPECT_TRUE(next_day.allowed);
  EXPECT_EQ(next_day.remaining, 2u);
  EXPECT_EQ(next_day.reset, 24h);
  const auto ttl = server_->command({"TTL", "t:quota:consumer:alice:d2031-03-15"});
  ASSERT_TRUE(ttl.ok());
  EXPECT_GT(std::stoll(*ttl), 0) << "counters expire (a day after their period)";
}

TEST_F(QuotaCounterTest, MonthlyQuotaRenewsOnTheFirst) {
  auto c = counter(PeriodKind::kMonth, 2);
  EXPECT_TRUE(take(*c, at(2031, 1, 1)).allowed);
  EXPECT_TRUE(take(*c, at(2031, 1, 20)).allowed);
  EXPECT_FALSE(take(*c, at(2031, 1, 31, 23, 59, 59)).allowed);
  EXPECT_TRUE(take(*c, at(2031, 2, 1)).allowed);
}

}  // namespace
}  // namespace portico::dp::filters::quota
