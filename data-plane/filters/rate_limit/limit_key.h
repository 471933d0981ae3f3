#pragma once

// What a rate limit or a quota counts requests by (the `key` of both plugins): "consumer",
// "client_ip", "header:<name>", "claim:<name>" or "global". A request without the key's value
// (no identified consumer, no such header or claim) is counted by its client address instead.

#include <string>

#include "absl/status/statusor.h"

namespace portico::dp::http {
struct FilterState;
}

namespace portico::dp::filters::rate_limit {

struct LimitKey {
  enum class Kind { kConsumer, kClientIp, kHeader, kClaim, kGlobal };
  Kind kind = Kind::kClientIp;
  std::string name;  // the header (lower case) or the claim

  // `text` as configured ("" is client_ip). Errors say what is accepted.
  static absl::StatusOr<LimitKey> parse(const std::string& text);

  // The counter this request belongs to: "<kind>:<value>", so that values of different kinds
  // never share a counter ("global", "consumer:alice", "header:…", "claim:…", "ip:10.0.0.1").
  std::string of(const http::FilterState& state) const;
};

// `key` as it goes into a Redis key: as is up to 128 bytes, else "sha256:<hex digest>". A
// client choosing a header value must not be able to make Redis keys of kilobytes.
std::string boundedKey(const std::string& key);

}  // namespace portico::dp::filters::rate_limit
