#pragma once

// A cache entry as stored in Redis (backend REDIS): one string value per key, in a compact
// length-prefixed binary format, so that every proxy sharing the server reads what any of them
// wrote:
//
//   "PCE1"  magic and format version
//   u8      kind: 1 response, 2 Vary marker
//   i64     stored_at: the writer's wall clock, Unix milliseconds (for Age on hits)
//   i64     initial_age: the response's Age when it arrived, seconds
//   response: u16 status, u32 header count, per header (u32 len, name, u32 len, value),
//             u32 body length, body
//   marker:   u32 name count, per name (u32 len, name)
//
// Integers are big-endian. The value's expiry is Redis's (SET ... PX = the remaining freshness),
// not part of the value. decodeEntry() checks every length against what is left and that
// nothing trails: a truncated, corrupt or unknown value (another version's) is refused, never
// read past its end; the filter then treats it as a miss and overwrites it.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "data-plane/filters/cache/response_store.h"

namespace portico::dp::filters::cache {

struct RedisEntry {
  enum class Kind : uint8_t { kResponse = 1, kVary = 2 };
  Kind kind = Kind::kResponse;
  int64_t stored_at_ms = 0;
  int64_t initial_age = 0;
  StoredResponse response;        // kResponse
  std::vector<std::string> vary;  // kVary: the Vary header names (lower case)
};

std::string encodeEntry(const RedisEntry& entry);
// nullopt: not a value this version wrote (or a damaged one).
std::optional<RedisEntry> decodeEntry(std::string_view value);

}  // namespace portico::dp::filters::cache
