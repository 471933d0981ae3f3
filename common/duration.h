#pragma once

// Operator-facing durations are strings with a unit: "250ms", "5s", "1m", "1h", "1m30s".

#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace portico {

// Parses a non-negative duration with units ns, us, ms, s, m, h (several may be chained, each
// unit once, largest first). Returns InvalidArgument naming the problem otherwise.
absl::StatusOr<absl::Duration> parseDuration(std::string_view text);

}  // namespace portico
