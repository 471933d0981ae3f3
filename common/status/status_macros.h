#pragma once

// RETURN_IF_ERROR / ASSIGN_OR_RETURN for absl::Status and absl::StatusOr, as in Abseil-based
// codebases. Abseil 20220623 does not ship them publicly.

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define PORTICO_STATUS_CONCAT_INNER(a, b) a##b
#define PORTICO_STATUS_CONCAT(a, b) PORTICO_STATUS_CONCAT_INNER(a, b)

#define RETURN_IF_ERROR(expr)                    \
  do {                                           \
    ::absl::Status portico_status_ = (expr);     \
    if (!portico_status_.ok()) {                 \
      return portico_status_;                    \
    }                                            \
  } while (false)

#define ASSIGN_OR_RETURN(lhs, expr) \
  PORTICO_ASSIGN_OR_RETURN_IMPL(PORTICO_STATUS_CONCAT(portico_statusor_, __LINE__), lhs, expr)

#define PORTICO_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                  \
  if (!tmp.ok()) {                                    \
    return std::move(tmp).status();                   \
  }                                                   \
  lhs = std::move(tmp).value()
