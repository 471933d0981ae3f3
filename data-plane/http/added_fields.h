#pragma once

// The header fields the gateway adds to a request on its way upstream, and to nothing else:
// its request id, X-Forwarded-For and X-Forwarded-Proto when the client sent none, and the
// try's attempt count. They are written after the request's own fields (writeRequestHead,
// wire_writer.h) instead of inserted into the request's Beast field set.
//
// Why: each Beast insert allocates a node, links it into a case-insensitive tree and is freed
// with the request; for these four fields that was 7 % of the proxy's user-space instructions
// per proxied request (18,263 -> 16,982 by callgrind; docs/benchmarks.md), for fields nothing
// on the proxy reads again.
// Filters, route matching and hashing run before they are added and saw the client's headers
// only; so does the cache filter's Vary handling, which now sees the same headers when it
// stores a response as when it looked the request up.
//
// Names and values are views: what they point at must outlive the write. The values are the
// gateway's own (a validated request id, an IP address, a scheme, digits): no CR or LF.

#include <array>
#include <cstddef>
#include <string_view>
#include <utility>

namespace portico::dp::http {

class AddedFields {
 public:
  using Field = std::pair<std::string_view, std::string_view>;  // name, value
  static constexpr size_t kCapacity = 4;

  // False (and nothing added) when all kCapacity places are taken.
  bool add(std::string_view name, std::string_view value) {
    if (size_ == kCapacity) return false;
    fields_[size_++] = Field{name, value};
    return true;
  }

  size_t size() const { return size_; }
  const Field* begin() const { return fields_.data(); }
  const Field* end() const { return fields_.data() + size_; }

 private:
  std::array<Field, kCapacity> fields_{};
  size_t size_ = 0;
};

}  // namespace portico::dp::http
