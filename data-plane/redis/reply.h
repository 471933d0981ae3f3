#pragma once

// One Redis reply (RESP2), decoded by hiredis's reader (reply_reader.h) into plain values so
// that nothing outside this folder sees hiredis types.

#include <cstdint>
#include <string>
#include <vector>

namespace portico::dp::redis {

struct Reply {
  enum class Type { kString, kArray, kInteger, kNil, kStatus, kError };
  Type type = Type::kNil;
  int64_t integer = 0;
  std::string text;             // kString, kStatus, kError
  std::vector<Reply> elements;  // kArray

  bool isError() const { return type == Type::kError; }
};

}  // namespace portico::dp::redis
