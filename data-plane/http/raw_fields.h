#pragma once

// An upstream response's end-to-end header lines kept as received ("Name: value\r\n" each, in
// order; ResponseDecoder), and the two things done with them: writing them back out
// (wire_writer.h) and, only when something must read or change the upstream's headers (a
// route's response header mutations, an HTTP filter's encoder, a retry on response headers, a
// WebSocket handshake), parsing them into the response's fields (adoptRawFields).

#include <cstdint>
#include <string>
#include <string_view>

#include "data-plane/router/message.h"

namespace portico::dp::http {

struct RawFields {
  std::string lines;
  // `lines` hold a Content-Length that is exact for the body as read (the decoder keeps the
  // upstream's when it framed the body), so none needs adding.
  bool has_content_length = false;
  // One bit per line, by a hash of its name's size and first and last letters: a name whose bit
  // is clear is certainly absent, so looking for it costs no scan (eraseRawField).
  uint64_t name_bits = 0;

  bool empty() const { return lines.empty(); }
  // `line` with its CRLF. Inline: the decoder calls it for nearly every upstream header line.
  void append(std::string_view name, std::string_view line) {
    lines.append(line);
    name_bits |= nameBit(name);
  }
  bool mayHold(std::string_view name) const { return (name_bits & nameBit(name)) != 0; }

  static uint64_t nameBit(std::string_view name) {
    if (name.empty()) return 1;
    const unsigned first = static_cast<unsigned char>(name.front()) | 0x20;  // letters: either case
    const unsigned last = static_cast<unsigned char>(name.back()) | 0x20;
    return uint64_t{1} << ((name.size() * 7 + first + last * 3) & 63);
  }
};

// Inserts every line of `raw` into `fields` (after those already there, in order; as with any
// Beast insert, a line whose name is already there goes right after the last field of that
// name, so same-named fields stay together) and clears `raw`. The lines were validated by the
// decoder.
void adoptRawFields(RawFields& raw, router::Fields& fields);

// Removes the lines of `raw` whose name is `name` (case-insensitive).
void eraseRawField(RawFields& raw, std::string_view name);

}  // namespace portico::dp::http
