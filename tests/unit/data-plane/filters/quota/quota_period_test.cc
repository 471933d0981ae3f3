#include "data-plane/filters/quota/quota_period.h"

#include <gtest/gtest.h>

namespace portico::dp::filters::quota {
namespace {

using std::chrono::sys_days;
using namespace std::chrono;

system_clock::time_point at(int y, unsigned m, unsigned d, int hh = 0, int mm = 0, int ss = 0) {
  return sys_days(year(y) / month(m) / day(d)) + hours(hh) + minutes(mm) + seconds(ss);
}

TEST(QuotaPeriodTest, DaysRollOverAtMidnightUtc) {
  const QuotaPeriod last_second = periodAt(PeriodKind::kDay, at(2026, 11, 28, 23, 59, 59));
  EXPECT_EQ(last_second.id, "d2026-11-28");
  EXPECT_EQ(last_second.end, at(2026, 11, 29));
  const QuotaPeriod midnight = periodAt(PeriodKind::kDay, at(2026, 11, 29));
  EXPECT_EQ(midnight.id, "d2026-11-29");
  EXPECT_EQ(periodAt(PeriodKind::kDay, at(2026, 12, 31, 12)).end, at(2027, 1, 1));
}

TEST(QuotaPeriodTest, MonthsRollOverOnTheFirst) {
  EXPECT_EQ(periodAt(PeriodKind::kMonth, at(2026, 1, 31, 23, 59, 59)).id, "m2026-01");
  EXPECT_EQ(periodAt(PeriodKind::kMonth, at(2026, 1, 31, 23, 59, 59)).end, at(2026, 2, 1));
  EXPECT_EQ(periodAt(PeriodKind::kMonth, at(2026, 2, 1)).id, "m2026-02");
  EXPECT_EQ(periodAt(PeriodKind::kMonth, at(2028, 2, 29, 8)).end, at(2028, 3, 1)) << "leap year";
  EXPECT_EQ(periodAt(PeriodKind::kMonth, at(2026, 12, 15)).end, at(2027, 1, 1));
  EXPECT_EQ(periodAt(PeriodKind::kMonth, at(2026, 12, 15)).id, "m2026-12");
}

}  // namespace
}  // namespace portico::dp::filters::quota
