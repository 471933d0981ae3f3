#pragma once

// Decodes one upstream HTTP/1.1 response from the bytes of its connection, without Beast's
// parser and without building an ordered field set. Proxying a small response through Beast
// (parse each field, look its name up, insert it into an rbtree, serialise it again) was a
// third of portico-proxy's user-space instructions per request (docs/benchmarks.md). Here the
// head is checked once, its framing fields (Content-Length, Transfer-Encoding, Connection) are
// read, and the end-to-end header lines are kept as received, in order, in one string
// (fields()) for the session to write back out. Whoever must read or change the upstream's
// headers (header mutations, filters, retry-on-header) parses that string into the response's
// fields first (raw_fields.h).
//
// What it accepts (stricter than RFC 9112 allows a recipient to be, never looser; a refusal is
// a 502 bad_upstream_response):
// - status line "HTTP/1.0" or "HTTP/1.1", a status 100–599, a reason without control characters;
// - CRLF line endings; no obsolete line folding; names are tokens directly followed by ':';
//   values without control characters;
// - at most one Transfer-Encoding, and it must be exactly "chunked": the proxy re-frames every
//   body (it reads it whole and sends it with a Content-Length), so another transfer coding
//   could not be passed on; never together with Content-Length, never in HTTP/1.0;
// - Content-Length: one value, repeated identically at most (RFC 9110 §8.6).
// Framing (RFC 9112 §6.3): no body after HEAD or with 1xx/204/304; chunked; Content-Length;
// else the body runs until the upstream closes. Interim 1xx responses other than 101 are
// skipped. Chunk extensions and trailer fields are dropped (the body leaves de-chunked).
// Hop-by-hop fields (hop_headers.h), those the Connection field names and Transfer-Encoding are
// not kept in fields(). A Content-Length is kept, as one "Content-Length: N" line after the
// others, when it framed the body (then it is exact for the body as read) and after a HEAD
// request (it describes the body a GET would get); not with 1xx/204/304, nor for a chunked or
// close-delimited body (the session adds the exact length of the body it read).
//
// One decoder per response. Not thread-safe.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "data-plane/http/raw_fields.h"
#include "data-plane/router/message.h"

namespace portico::dp::http {

struct ResponseLimits {
  size_t max_head_bytes = 64 << 10;     // status line, header lines, CRLFs
  uint64_t max_body_bytes = 16 << 20;   // the decoded body
};

class ResponseDecoder {
 public:
  enum class State {
    kNeedMore,   // feed it more bytes (the unused ones again, plus new ones)
    kDone,       // the response is complete; bytes after it were not used
    kBad,        // not a valid response: error()
    kTooLarge,   // over a limit: error()
    kTruncated,  // (finishAtEof only) the connection closed before the response was complete
  };
  // kDone, kBad, kTooLarge and kTruncated are final: later calls return the same state again.

  ResponseDecoder(const ResponseLimits& limits, bool head_request);

  // `input`: the buffered bytes not yet used. Sets `used` to how many of them the caller must
  // drop from its buffer.
  State feed(std::string_view input, size_t& used);
  // The upstream closed the connection (after the last feed): kDone when the body runs until
  // the close, else kTruncated.
  State finishAtEof();

  // Status, version, reason and body; no fields (they are in fields()).
  router::Response& response() { return response_; }
  // The end-to-end header lines as received, each with its CRLF.
  const std::string& fields() const { return raw_.lines; }
  RawFields& rawFields() { return raw_; }
  // The connection may carry another request after this response.
  bool keepAlive() const { return keep_alive_; }
  std::string_view error() const { return error_; }

 private:
  enum class Phase { kHead, kBody, kDone };
  enum class Framing { kNone, kLength, kChunked, kUntilClose };
  enum class ChunkPhase { kSize, kData, kDataEnd, kTrailer };

  State feedHead(std::string_view input, size_t& used);
  State parseHead(std::string_view head);  // the whole head, final CRLF CRLF included
  bool parseStatusLine(std::string_view line);
  bool parseField(std::string_view line);  // line without its CRLF, followed by CRLF in memory
  bool parseContentLength(std::string_view value);
  void parseConnection(std::string_view value);
  State startBody();
  State feedBody(std::string_view input, size_t& used);
  State feedChunked(std::string_view input, size_t& used);
  bool parseChunkSize(std::string_view line);
  void dropNominatedFields();
  void appendContentLength();
  void resetHead();
  State fail(State state, std::string_view why);

  const ResponseLimits limits_;
  const bool head_request_;
  Phase phase_ = Phase::kHead;
  size_t scan_from_ = 0;  // where the search for the head's end resumes
  router::Response response_;
  RawFields raw_;
  unsigned status_ = 0;
  bool reason_stored_ = false;  // response_ holds an unusual reason phrase
  bool has_length_ = false;
  uint64_t length_ = 0;
  bool chunked_ = false;
  bool close_ = false;         // Connection: close
  bool keep_alive_token_ = false;  // Connection: keep-alive
  std::vector<std::string> nominated_;  // other Connection tokens (rare)
  bool keep_alive_ = false;
  Framing framing_ = Framing::kNone;
  ChunkPhase chunk_phase_ = ChunkPhase::kSize;
  uint64_t remaining_ = 0;  // body bytes still due (Content-Length), or of the current chunk
  size_t trailer_bytes_ = 0;
  std::string error_;
  State failure_ = State::kNeedMore;  // kBad, kTooLarge or kTruncated once one was returned
};

}  // namespace portico::dp::http
