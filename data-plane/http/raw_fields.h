#pragma once

// An upstream response's end-to-end header lines kept as received ("Name: value\r\n" each, in
// order; ResponseDecoder::fields()), and the two things done with them: writing them back out
// (wire_writer.h) and, only when something must read or change the upstream's headers (a
// route's response header mutations, an HTTP filter's encoder, a retry on response headers, a
// WebSocket handshake), parsing them into the response's fields.

#include <string>
#include <string_view>

#include "data-plane/router/message.h"

namespace portico::dp::http {

// Inserts every line of `raw` into `fields` (after those already there, in order; as with any
// Beast insert, a line whose name is already there goes right after the last field of that
// name, so same-named fields stay together) and clears `raw`. The lines were validated by the
// decoder.
void adoptRawFields(std::string& raw, router::Fields& fields);

// Removes the lines of `raw` whose name is `name` (case-insensitive).
void eraseRawField(std::string& raw, std::string_view name);

}  // namespace portico::dp::http
