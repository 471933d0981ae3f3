#pragma once

// Small conversions from model values to protobuf well-known types.

#include <google/protobuf/any.pb.h>
#include <google/protobuf/duration.pb.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/message.h>

#include <string>

#include "absl/time/time.h"

namespace portico::cp::translator {

inline void setDuration(absl::Duration in, google::protobuf::Duration* out) {
  const int64_t nanos = absl::ToInt64Nanoseconds(in);
  out->set_seconds(nanos / 1000000000);
  out->set_nanos(static_cast<int32_t>(nanos % 1000000000));
}

// Any::PackFrom serialises maps in hash order (protobuf 3.21), so equal content could pack into
// different bytes and a resource's content-hash version would change on every translation.
// Every Any the translator builds goes through here instead.
inline void packDeterministic(const google::protobuf::Message& message, google::protobuf::Any* out) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream raw(&bytes);
    google::protobuf::io::CodedOutputStream coded(&raw);
    coded.SetSerializationDeterministic(true);
    message.SerializeToCodedStream(&coded);
  }
  out->set_type_url("type.googleapis.com/" + message.GetDescriptor()->full_name());
  out->set_value(std::move(bytes));
}

inline google::protobuf::Any packDeterministic(const google::protobuf::Message& message) {
  google::protobuf::Any any;
  packDeterministic(message, &any);
  return any;
}

}  // namespace portico::cp::translator
