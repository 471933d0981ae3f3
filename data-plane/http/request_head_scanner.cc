#include "data-plane/http/request_head_scanner.h"

#include <cstring>

#include "data-plane/http/header_chars.h"

namespace portico::dp::http {

RequestHeadScanner::Status RequestHeadScanner::refuse(int status, std::string_view code,
                                                      std::string_view message) {
  refusal_ = Refusal{status, code, message};
  return Status::kRefused;
}

RequestHeadScanner::Status RequestHeadScanner::scan(std::string_view data) {
  if (refusal_) return Status::kRefused;
  if (head_size_ != 0) return Status::kComplete;
  while (pos_ < data.size()) {
    const void* found = std::memchr(data.data() + pos_, '\n', data.size() - pos_);
    if (found == nullptr) {
      pos_ = data.size();
      break;
    }
    const size_t lf = static_cast<const char*>(found) - data.data();
    if (!checkLine(data, lf)) return Status::kRefused;
    if (head_size_ != 0) return Status::kComplete;
    line_start_ = pos_ = lf + 1;
  }
  // An unfinished line: refuse as soon as a limit is certainly passed, not when it ends (a
  // client must not be able to make the proxy buffer more than the limits).
  const size_t partial = data.size() - line_start_;
  if (request_line_ && partial > size_t{limits_.max_request_line} + 1) {  // + 1: a pending CR
    return refuse(414, "uri_too_long", "the request line is longer than this listener allows");
  }
  if (data.size() > limits_.max_header_bytes) {
    return refuse(431, "request_headers_too_large",
                  "the request head is larger than this listener allows");
  }
  return Status::kNeedMore;
}

bool RequestHeadScanner::checkLine(std::string_view data, size_t lf) {
  // Limits first, in the order the unfinished-line checks in scan() apply them, so the decision
  // never depends on how the bytes were split into reads.
  const size_t length = lf - line_start_;  // without the LF
  if (request_line_ && length > size_t{limits_.max_request_line} + 1) {  // + 1: the CR
    refuse(414, "uri_too_long", "the request line is longer than this listener allows");
    return false;
  }
  if (lf + 1 > limits_.max_header_bytes) {
    refuse(431, "request_headers_too_large", "the request head is larger than this listener allows");
    return false;
  }
  if (length == 0 || data[lf - 1] != '\r') {
    refuse(400, "bad_line_ending", "a line of the request head ends in LF without CR");
    return false;
  }
  const std::string_view line = data.substr(line_start_, length - 1);
  if (request_line_) {
    request_line_ = false;
    return checkRequestLine(line);
  }
  if (line.empty()) {
    head_size_ = lf + 1;
    return true;
  }
  return checkHeaderLine(line);
}

bool RequestHeadScanner::checkRequestLine(std::string_view line) {
  if (line.empty()) {
    refuse(400, "bad_request_line", "the request starts with an empty line");
    return false;
  }
  for (const char c : line) {
    // Also catches a bare CR and a TAB: the request line's separators are single spaces.
    if (control(static_cast<unsigned char>(c)) || c == '\t') {
      refuse(400, "bad_request_line", "control character in the request line");
      return false;
    }
  }
  return true;
}

bool RequestHeadScanner::checkHeaderLine(std::string_view line) {
  if (line[0] == ' ' || line[0] == '\t') {
    refuse(400, "obsolete_line_folding",
           "a header line starts with whitespace (obsolete line folding is not accepted)");
    return false;
  }
  size_t colon = 0;
  while (colon < line.size() && tchar(static_cast<unsigned char>(line[colon]))) ++colon;
  if (colon == 0 || colon == line.size() || line[colon] != ':') {
    refuse(400, "bad_header_name",
           "a header name must be a token directly followed by ':' (no whitespace before it)");
    return false;
  }
  if (hasControl(line.data() + colon + 1, line.size() - colon - 1)) {
    refuse(400, "bad_header_value", "control character in a header value");
    return false;
  }
  if (++header_count_ > limits_.max_header_count) {
    refuse(431, "too_many_headers", "the request has more header fields than this listener allows");
    return false;
  }
  return true;
}

}  // namespace portico::dp::http
