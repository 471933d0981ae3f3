#include "data-plane/http/header_validator.h"

#include "absl/strings/match.h"
#include "common/strings.h"

namespace portico::dp::http {

namespace bhttp = boost::beast::http;

namespace {

bool validContentLength(std::string_view value) {
  if (value.empty() || value.size() > 19) return false;  // 19 digits always fit in uint64
  for (const char c : value) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

struct FramingFields {
  int content_length = 0;
  int transfer_encoding = 0;
  int host = 0;
  std::string_view content_length_value;
  std::string_view transfer_encoding_value;
};

FramingFields countFramingFields(const router::Fields& fields) {
  FramingFields out;
  for (const auto& field : fields) {
    switch (field.name()) {
      case bhttp::field::content_length:
        ++out.content_length;
        out.content_length_value = field.value();
        break;
      case bhttp::field::transfer_encoding:
        ++out.transfer_encoding;
        out.transfer_encoding_value = field.value();
        break;
      case bhttp::field::host:
        ++out.host;
        break;
      default:
        break;
    }
  }
  return out;
}

Refusal bad(std::string_view code, std::string_view message) { return Refusal{400, code, message}; }

}  // namespace

Refusal validateRequestHeader(const bhttp::request_header<router::Fields>& header) {
  const FramingFields f = countFramingFields(header);
  if (f.transfer_encoding > 0) {
    if (header.version() < 11) {
      return bad("bad_transfer_encoding", "Transfer-Encoding is not allowed in an HTTP/1.0 request");
    }
    if (f.content_length > 0) {
      return bad("ambiguous_framing", "the request has both Content-Length and Transfer-Encoding");
    }
    if (f.transfer_encoding > 1 ||
        !absl::EqualsIgnoreCase(av(f.transfer_encoding_value), "chunked")) {
      return bad("bad_transfer_encoding",
                 "Transfer-Encoding must be one field with the value \"chunked\"");
    }
  }
  if (f.content_length > 1) {
    return bad("ambiguous_framing", "the request has more than one Content-Length field");
  }
  if (f.content_length == 1 && !validContentLength(f.content_length_value)) {
    return bad("bad_content_length", "Content-Length must be a decimal number of 1 to 19 digits");
  }
  if (f.host > 1) {
    return bad("bad_host", "the request has more than one Host field");
  }
  if (f.host == 0 && header.version() >= 11) {
    return bad("bad_host", "an HTTP/1.1 request must have a Host field");
  }
  return Refusal{};
}

}  // namespace portico::dp::http
