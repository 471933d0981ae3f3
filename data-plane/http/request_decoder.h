#pragma once

// Turns the bytes of one downstream HTTP/1.1 request into a parsed request, or a refusal: the
// whole decision "forward or refuse" before routing, without any I/O, so the session's read
// loop and the fuzzer (fuzz/request_fuzzer.cc) run the same code.
//
// Order: RequestHeadScanner (raw head: limits, line endings, obs-fold, names, control
// characters) → Beast's parser on exactly the head (or, for a plainly valid bodiless head, a
// direct build of the same message: fastHead) → validateRequestHeader (framing, Host) →
// path normalization of the target (path_normalizer.h; the query is kept as sent) → the body
// through the same parser (Content-Length or chunked; body limit 413), chunked trailer fields
// dropped (RequestParser). Every refusal is final: the caller answers it and closes the
// connection.
//
// One decoder per request (Beast parsers are single-use). Not thread-safe; no allocation beyond
// the parsed message and a rewritten target.

#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <cstdint>
#include <string>
#include <string_view>

#include "data-plane/http/path_normalizer.h"
#include "data-plane/http/refusal.h"
#include "data-plane/http/request_head_scanner.h"
#include "data-plane/router/message.h"

namespace portico::dp::http {

// Beast's request parser, except that the trailer fields of a chunked body are dropped: Beast
// would merge them into the header after it was validated and routed on (a second Host, an
// identity header), and they cannot be forwarded as trailers once the body is de-chunked.
// Beast still refuses a Content-Length or Transfer-Encoding among them.
class RequestParser final
    : public boost::beast::http::parser<true, boost::beast::http::string_body, router::FieldAllocator> {
 private:
  void on_field_impl(boost::beast::http::field name, boost::beast::string_view name_string,
                     boost::beast::string_view value, boost::beast::error_code& ec) override {
    ec = {};
    if (!is_header_done()) get().insert(name, name_string, value);
  }
};

struct DecoderSettings {
  HeadLimits head;
  uint64_t max_body_bytes = 16 << 20;
  PathOptions path;
  // Heads without a body or connection-level fields are built without Beast's parser
  // (RequestDecoder::fastHead); off: every head goes through Beast (the fuzzer compares both).
  bool fast_head = true;
};

class RequestDecoder {
 public:
  using Parser = RequestParser;
  using Request = router::Request;
  enum class State {
    kNeedMore,  // give it more bytes (the unused ones again, plus new ones)
    kHeadDone,  // the head is parsed and valid; the body is still to come
    kDone,      // the whole request is here
    kRefused,   // see refusal()
  };

  explicit RequestDecoder(const DecoderSettings& settings);

  // `input`: the buffered bytes not yet used. Sets `used` to how many of them the caller must
  // drop from its buffer (0 until the head is complete: the scanner keeps its place in them).
  State feed(std::string_view input, size_t& used);

  bool headDone() const { return head_done_; }
  const Refusal& refusal() const { return refusal_; }
  Parser& parser() { return parser_; }
  Request& request() { return parser_.get(); }

 private:
  State feedHead(std::string_view input, size_t& used);
  State feedBody(std::string_view input, size_t& used);
  State refuse(const Refusal& refusal);
  // Builds the request from a head the scanner accepted when it is plainly valid and bodiless:
  // a token method, a target of visible ASCII, HTTP/1.0 or 1.1, and no Content-Length,
  // Transfer-Encoding, Connection, Proxy-Connection or Upgrade field. False (nothing built):
  // Beast's parser decides, as for every other head.
  bool fastHead(std::string_view head);
  // Rewrites the target with the normalized path; a refusal when the path is refused.
  Refusal normalizeTarget();

  RequestHeadScanner scanner_;
  Parser parser_;
  const PathOptions path_options_;
  const uint32_t max_header_bytes_;
  const bool fast_head_;
  bool head_done_ = false;
  bool done_without_parser_ = false;  // fastHead built the (bodiless) request
  size_t stalled_at_ = 0;  // unused bytes when Beast last needed more without using any
  bool stalled_on_last_chunk_ = false;  // ... and they were exactly "0\r\n"
  Refusal refusal_;
};

// The refusal for an error of Beast's HTTP parser.
Refusal refusalForParseError(const boost::beast::error_code& ec);

}  // namespace portico::dp::http
