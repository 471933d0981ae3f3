#include "data-plane/http/request_decoder.h"

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>

#include <algorithm>

#include "absl/container/inlined_vector.h"
#include "data-plane/http/header_chars.h"
#include "data-plane/http/header_validator.h"

namespace portico::dp::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

namespace {

// Beast asked for more although `stalled` (the bytes it did not use) holds a whole line of a
// chunk with a non-zero size: only an extension that runs past the line's CRLF (an unclosed
// quoted string) makes it do that. Such a chunk is malformed; refusing it here also keeps
// Beast 1.81 from counting the chunk's size against the body limit again on every retry
// (which would turn the 400 into a 413 depending on how the bytes arrived).
bool completeChunkLine(std::string_view stalled) {
  if (stalled.substr(0, 2) == "\r\n") stalled.remove_prefix(2);  // the previous chunk's CRLF
  if (stalled.find("\r\n") == std::string_view::npos) return false;
  const size_t digits = stalled.find_first_not_of("0123456789abcdefABCDEF");
  return digits != 0 && stalled.substr(0, digits).find_first_not_of('0') != std::string_view::npos;
}

}  // namespace

Refusal refusalForParseError(const beast::error_code& ec) {
  if (ec == bhttp::error::header_limit) {
    return {431, "request_headers_too_large", "the request head is larger than this listener allows"};
  }
  if (ec == bhttp::error::body_limit) {
    return {413, "request_body_too_large", "the request body is larger than this listener allows"};
  }
  if (ec == bhttp::error::bad_content_length) {
    return {400, "bad_content_length", "invalid Content-Length (or Content-Length with chunked)"};
  }
  if (ec == bhttp::error::multiple_content_length) {
    return {400, "ambiguous_framing", "the request has conflicting Content-Length values"};
  }
  if (ec == bhttp::error::bad_transfer_encoding) {
    return {400, "bad_transfer_encoding", "invalid or repeated Transfer-Encoding"};
  }
  if (ec == bhttp::error::bad_method || ec == bhttp::error::bad_target ||
      ec == bhttp::error::bad_version) {
    return {400, "bad_request_line", "malformed request line"};
  }
  if (ec == bhttp::error::bad_field || ec == bhttp::error::bad_value) {
    return {400, "bad_header", "malformed header field"};
  }
  if (ec == bhttp::error::bad_chunk || ec == bhttp::error::bad_chunk_extension) {
    return {400, "bad_chunk", "malformed chunked body"};
  }
  return {400, "bad_request", "malformed request"};
}

RequestDecoder::RequestDecoder(const DecoderSettings& settings)
    : scanner_(settings.head),
      path_options_(settings.path),
      max_header_bytes_(settings.head.max_header_bytes),
      fast_head_(settings.fast_head) {
  // The scanner enforces the head limits first; Beast's own limit only has to stay out of the
  // way (it also bounds the trailers of a chunked body).
  parser_.header_limit(settings.head.max_header_bytes + 1);
  parser_.body_limit(settings.max_body_bytes);
}

RequestDecoder::State RequestDecoder::refuse(const Refusal& refusal) {
  refusal_ = refusal;
  return State::kRefused;
}

RequestDecoder::State RequestDecoder::feed(std::string_view input, size_t& used) {
  used = 0;
  if (refusal_) return State::kRefused;
  if (!head_done_) return feedHead(input, used);
  if (done_without_parser_ || parser_.is_done()) return State::kDone;
  return feedBody(input, used);
}

RequestDecoder::State RequestDecoder::feedHead(std::string_view input, size_t& used) {
  switch (scanner_.scan(input)) {
    case RequestHeadScanner::Status::kNeedMore:
      return State::kNeedMore;
    case RequestHeadScanner::Status::kRefused:
      return refuse(scanner_.refusal());
    case RequestHeadScanner::Status::kComplete:
      break;
  }
  const size_t head = scanner_.headSize();
  done_without_parser_ = fast_head_ && fastHead(input.substr(0, head));
  if (!done_without_parser_) {
    beast::error_code ec;
    const size_t parsed = parser_.put(asio::buffer(input.data(), head), ec);
    if (ec) return refuse(refusalForParseError(ec));
    if (parsed != head || !parser_.is_header_done()) {
      return refuse({400, "bad_request", "malformed request head"});
    }
  }
  used = head;
  if (Refusal r = validateRequestHeader(parser_.get())) return refuse(r);
  if (Refusal r = normalizeTarget()) return refuse(r);
  head_done_ = true;
  return done_without_parser_ || parser_.is_done() ? State::kDone : State::kHeadDone;
}

RequestDecoder::State RequestDecoder::feedBody(std::string_view input, size_t& used) {
  // After Beast asked for more without using anything, call it again only with more bytes
  // (the same bytes would only ask again). And when it stalled on exactly "0\r\n" (a last
  // chunk awaiting its trailers), only with 5 or more: Beast 1.81 asserts n >= 5 when it
  // re-enters that state (a wrong assertion that aborts builds with assertions on, fixed
  // upstream in boostorg/beast#2861); with 4 bytes it could only have asked for more anyway.
  if (stalled_at_ > 0 &&
      (input.size() <= stalled_at_ || (stalled_on_last_chunk_ && input.size() < 5))) {
    return State::kNeedMore;
  }
  stalled_at_ = 0;
  while (used < input.size() && !parser_.is_done()) {
    // Beast is given at most max_header_bytes at a time: a chunk header or a trailer section
    // it cannot finish within that many bytes is refused, whether the bytes came in one read or
    // in many (the body data of a chunk is consumed as it comes, whatever its size).
    const size_t window = std::min<size_t>(input.size() - used, max_header_bytes_);
    beast::error_code ec;
    const size_t n = parser_.put(asio::buffer(input.data() + used, window), ec);
    used += n;
    if (ec == bhttp::error::need_more) {
      if (n > 0) continue;
      // Checked on the window Beast saw, so the outcome does not depend on the reads.
      if (completeChunkLine(input.substr(used, window))) {
        return refuse({400, "bad_chunk", "malformed chunk extension"});
      }
      if (window == max_header_bytes_) {
        return refuse({431, "request_headers_too_large", "chunk header or trailers too large"});
      }
      stalled_at_ = input.size() - used;
      stalled_on_last_chunk_ = input.substr(used) == "0\r\n";
      break;
    }
    if (ec) return refuse(refusalForParseError(ec));
    if (n == 0) break;
  }
  return parser_.is_done() ? State::kDone : State::kNeedMore;
}

// Beast's parser costs a tenth of a proxied request's user-space instructions, most of it
// re-checking what the scanner already checked. Anything this does not plainly accept goes to
// Beast, so the decision on every unusual head stays Beast's and the validators' (the request
// fuzzer checks both paths agree).
bool RequestDecoder::fastHead(std::string_view head) {
  size_t line_end = head.find("\r\n");
  const std::string_view line = head.substr(0, line_end);
  const size_t method_end = line.find(' ');
  if (method_end == 0 || method_end == std::string_view::npos) return false;
  const std::string_view method = line.substr(0, method_end);
  for (const char c : method) {
    if (!tchar(static_cast<unsigned char>(c))) return false;
  }
  const size_t target_end = line.find(' ', method_end + 1);
  if (target_end == std::string_view::npos || target_end == method_end + 1) return false;
  const std::string_view target = line.substr(method_end + 1, target_end - method_end - 1);
  for (const char c : target) {
    if (c <= 0x20 || c >= 0x7f) return false;
  }
  const std::string_view version = line.substr(target_end + 1);
  if (version != "HTTP/1.1" && version != "HTTP/1.0") return false;
  // The fields: names and values were checked by the scanner; the framing and connection
  // fields (and their errors) are Beast's.
  struct Field {
    bhttp::field code;
    std::string_view name;
    std::string_view value;
  };
  absl::InlinedVector<Field, 16> fields;
  for (size_t pos = line_end + 2; (line_end = head.find("\r\n", pos)) != pos; pos = line_end + 2) {
    const std::string_view field_line = head.substr(pos, line_end - pos);
    const size_t colon = field_line.find(':');
    const std::string_view name = field_line.substr(0, colon);
    const bhttp::field code = bhttp::string_to_field(beast::string_view(name.data(), name.size()));
    switch (code) {
      case bhttp::field::content_length:
      case bhttp::field::transfer_encoding:
      case bhttp::field::connection:
      case bhttp::field::proxy_connection:
      case bhttp::field::upgrade:
        return false;
      default:
        break;
    }
    std::string_view value = field_line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    fields.push_back({code, name, value});
  }
  Request& request = parser_.get();
  const bhttp::verb verb = bhttp::string_to_verb(beast::string_view(method.data(), method.size()));
  if (verb == bhttp::verb::unknown) {
    request.method_string(beast::string_view(method.data(), method.size()));
  } else {
    request.method(verb);
  }
  request.target(beast::string_view(target.data(), target.size()));
  request.version(version == "HTTP/1.1" ? 11 : 10);
  for (const Field& field : fields) {
    request.insert(field.code, beast::string_view(field.name.data(), field.name.size()),
                   beast::string_view(field.value.data(), field.value.size()));
  }
  return true;
}

Refusal RequestDecoder::normalizeTarget() {
  if (!path_options_.any()) return {};
  Request& request = parser_.get();
  const std::string_view target = request.target();
  const size_t question = target.find('?');
  const std::string_view path = target.substr(0, question);
  std::string normalized;
  switch (normalizePath(path, path_options_, normalized)) {
    case PathResult::kUnchanged:
      return {};
    case PathResult::kInvalid:
      return {400, "invalid_path",
              "the request path is malformed (not /-rooted, a bad %-escape, or a fragment)"};
    case PathResult::kEscapedSlash:
      return {400, "escaped_slash", "the request path contains an escaped slash (%2F or %5C)"};
    case PathResult::kChanged:
      break;
  }
  if (question != std::string_view::npos) normalized.append(target.substr(question));
  request.target(normalized);
  return {};
}

}  // namespace portico::dp::http
