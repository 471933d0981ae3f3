#pragma once

// Calendar periods of a quota, in UTC: a day (00:00 to 24:00) or a month (the 1st, 00:00, to
// the next 1st). Every proxy computes the same period from its clock; a request within
// clock-skew of midnight may count in the neighbouring period, which is the only tolerance.

#include <chrono>
#include <string>

namespace portico::dp::filters::quota {

enum class PeriodKind { kDay, kMonth };

struct QuotaPeriod {
  std::string id;                              // "d2026-11-28" or "m2026-11": part of the key
  std::chrono::system_clock::time_point end;   // when the next period starts
};

QuotaPeriod periodAt(PeriodKind kind, std::chrono::system_clock::time_point now);

}  // namespace portico::dp::filters::quota
