#include "data-plane/filters/quota/quota_period.h"

#include <cstdio>

namespace portico::dp::filters::quota {

QuotaPeriod periodAt(PeriodKind kind, std::chrono::system_clock::time_point now) {
  using namespace std::chrono;
  const sys_days today = floor<days>(now);
  const year_month_day date(today);
  char id[32];
  QuotaPeriod out;
  if (kind == PeriodKind::kDay) {
    std::snprintf(id, sizeof(id), "d%04d-%02u-%02u", static_cast<int>(date.year()),
                  static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
    out.end = today + days(1);
  } else {
    std::snprintf(id, sizeof(id), "m%04d-%02u", static_cast<int>(date.year()), static_cast<unsigned>(date.month()));
    const year_month next = year_month(date.year(), date.month()) + months(1);
    out.end = sys_days(next / 1);
  }
  out.id = id;
  return out;
}

}  // namespace portico::dp::filters::quota
