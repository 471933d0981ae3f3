#pragma once

// Checks the raw bytes of a request head (request line + header lines + empty line) before
// Beast parses them, for what the parser either accepts or cannot report:
// - limits: request line (414), number of header lines (431), total head bytes (431);
// - line endings: every line must end in CRLF (a bare LF or CR is refused: parsers that split
//   lines differently see different headers);
// - obsolete line folding (a line starting with SP or HTAB), which Beast would join silently;
// - header names: 1*tchar immediately followed by ':' (so "Transfer-Encoding : chunked", with
//   a space before the colon, is refused, RFC 9112 §5.1);
// - control characters (NUL, other CTLs, DEL) in the request line and header values.
// Each refusal is 400 unless said otherwise.
//
// Incremental: scan() is called with everything buffered for this request so far, each call
// with a longer prefix of the same bytes, and only examines what it has not seen, so a client
// dribbling one byte at a time costs O(head) in total. One scanner per request.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "data-plane/http/refusal.h"

namespace portico::dp::http {

struct HeadLimits {
  uint32_t max_request_line = 16 << 10;  // bytes, without CRLF
  uint32_t max_header_bytes = 64 << 10;  // the whole head, request line and CRLFs included
  uint32_t max_header_count = 100;       // header lines
};

class RequestHeadScanner {
 public:
  enum class Status { kNeedMore, kComplete, kRefused };

  explicit RequestHeadScanner(const HeadLimits& limits) : limits_(limits) {}

  // `data`: the request's bytes so far, starting at its first byte. kComplete: the head is
  // data[0, headSize()); kRefused: see refusal().
  Status scan(std::string_view data);

  size_t headSize() const { return head_size_; }
  uint32_t headerCount() const { return header_count_; }
  const Refusal& refusal() const { return refusal_; }

 private:
  Status refuse(int status, std::string_view code, std::string_view message);
  // Checks one complete line data[line_start_, lf) (lf at the '\n'); false after refusing.
  bool checkLine(std::string_view data, size_t lf);
  bool checkRequestLine(std::string_view line);
  bool checkHeaderLine(std::string_view line);

  const HeadLimits limits_;
  size_t pos_ = 0;         // next byte to look at for a '\n'
  size_t line_start_ = 0;  // first byte of the current line
  bool request_line_ = true;
  uint32_t header_count_ = 0;
  size_t head_size_ = 0;
  Refusal refusal_;
};

}  // namespace portico::dp::http
