#include "common/strings.h"
#include "common/duration.h"

#include <cctype>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace portico {
namespace {

struct Unit {
  std::string_view name;
  absl::Duration scale;
};

// "ms" comes before "m" and "s" so that the longest unit name matches first.
constexpr int kUnitCount = 6;
const Unit* units() {
  static const Unit kUnits[kUnitCount] = {
      {"h", absl::Hours(1)},         {"ms", absl::Milliseconds(1)}, {"m", absl::Minutes(1)},
      {"s", absl::Seconds(1)},       {"us", absl::Microseconds(1)}, {"ns", absl::Nanoseconds(1)},
  };
  return kUnits;
}

int unitRank(std::string_view name) {
  // Rank by size so "1s30m" (smaller before larger) is refused.
  if (name == "h") return 0;
  if (name == "m") return 1;
  if (name == "s") return 2;
  if (name == "ms") return 3;
  if (name == "us") return 4;
  return 5;
}

}  // namespace

absl::StatusOr<absl::Duration> parseDuration(std::string_view text) {
  if (text.empty()) {
    return absl::InvalidArgumentError("empty duration; expected a number with a unit, e.g. 250ms, 5s, 1m");
  }
  absl::Duration total = absl::ZeroDuration();
  std::string_view rest = text;
  int last_rank = -1;
  while (!rest.empty()) {
    size_t i = 0;
    while (i < rest.size() && (std::isdigit(static_cast<unsigned char>(rest[i])) || rest[i] == '.')) {
      ++i;
    }
    if (i == 0) {
      return absl::InvalidArgumentError(
          cat("invalid duration \"", text, "\"; expected a number with a unit, e.g. 250ms, 5s, 1m"));
    }
    double value = 0;
    if (!absl::SimpleAtod(av(rest.substr(0, i)), &value) || value < 0) {
      return absl::InvalidArgumentError(cat("invalid number in duration \"", text, "\""));
    }
    rest.remove_prefix(i);
    const Unit* found = nullptr;
    for (int u = 0; u < kUnitCount; ++u) {
      const Unit& unit = units()[u];
      if (rest.substr(0, unit.name.size()) == unit.name) {
        found = &unit;
        break;
      }
    }
    if (found == nullptr) {
      return absl::InvalidArgumentError(cat(
          "missing or unknown unit in duration \"", text, "\"; units are ns, us, ms, s, m, h"));
    }
    int rank = unitRank(found->name);
    if (rank <= last_rank) {
      return absl::InvalidArgumentError(
          cat("units out of order in duration \"", text, "\"; write larger units first"));
    }
    last_rank = rank;
    total += value * found->scale;
    rest.remove_prefix(found->name.size());
  }
  return total;
}

}  // namespace portico
