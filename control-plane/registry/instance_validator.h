#pragma once

// Validation of a registration before it touches the store, shared by the REST and gRPC
// sources so both refuse the same things with the same words.

#include <string_view>

#include "absl/status/status.h"
#include "control-plane/registry/store.h"

namespace portico::cp::registry {

inline constexpr uint32_t kDefaultTtlSeconds = 30;
inline constexpr uint32_t kMaxTtlSeconds = 86400;
inline constexpr uint32_t kDefaultWeight = 1;
inline constexpr uint32_t kMaxWeight = 128;

// Service names: 1..63 of [A-Za-z0-9._-], starting with a letter or digit.
absl::Status validateServiceName(std::string_view name);
// Instance ids: 1..128 of [A-Za-z0-9._:-].
absl::Status validateInstanceId(std::string_view id);

// Checks every field and applies defaults (weight, ttl). Returns InvalidArgument with
// "field: problem" on the first error.
absl::Status validateAndDefault(Instance& instance);

}  // namespace portico::cp::registry
