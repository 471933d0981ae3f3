#pragma once

// Small conversions from model values to protobuf well-known types.

#include <google/protobuf/duration.pb.h>

#include "absl/time/time.h"

namespace portico::cp::translator {

inline void setDuration(absl::Duration in, google::protobuf::Duration* out) {
  const int64_t nanos = absl::ToInt64Nanoseconds(in);
  out->set_seconds(nanos / 1000000000);
  out->set_nanos(static_cast<int32_t>(nanos % 1000000000));
}

}  // namespace portico::cp::translator
