// libFuzzer target: the upstream response decoder (data-plane/http/response_decoder.h), fed the
// way the upstream exchange feeds it (router/upstream_request.cc: a buffer of unused bytes, a
// read appended, the used bytes dropped, finishAtEof at the close).
//
// Input: byte 0 picks the settings (bit 0: the request was HEAD; bit 1: the upstream closes
// after the last byte; bit 2: small limits), bytes 1-2 where the first read ends, byte 3 the
// size of the reads after it; the rest is what the upstream sends. Properties:
// - the outcome does not depend on how the bytes are split into reads (the whole input in one
//   read and in the pieces above give the same state and error, and unless it is a refusal the
//   same status, version, reason, body, kept header lines, keepAlive and unused bytes);
// - every feed uses at most the bytes it was given, and the body never exceeds the limit;
// - kDone, kBad, kTooLarge and kTruncated are final: more bytes or the close change nothing;
//   finishAtEof never answers kNeedMore;
// - a complete response has a final status (101 or 200-599), HTTP/1.0 or 1.1, no body after
//   HEAD or with 1xx/204/304, and is not kept alive when its body ran until the close;
// - fields() is whole lines, each a token name directly followed by ':', a value without
//   control characters and CRLF, none of them hop-by-hop or Transfer-Encoding; at most one
//   Content-Length, never with 1xx/204/304 nor after a close-delimited body, and (except after
//   HEAD) equal to the body's size, which is exactly when the lines say they carry it.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/strings/match.h"
#include "common/strings.h"
#include "data-plane/http/header_chars.h"
#include "data-plane/http/response_decoder.h"
#include "fuzz/fuzz_check.h"

namespace {

using portico::cat;
using portico::dp::http::ResponseDecoder;
using portico::dp::http::ResponseLimits;
using State = ResponseDecoder::State;

struct Mode {
  ResponseLimits limits;
  bool head_request = false;
  bool eof = false;
};

struct Outcome {
  State state = State::kNeedMore;
  bool done_at_eof = false;  // kDone came from finishAtEof: the body ran until the close
  std::string error;
  unsigned status = 0;
  unsigned version = 0;
  std::string reason;
  std::string body;
  std::string fields;
  bool has_length = false;  // RawFields::has_content_length
  bool keep_alive = false;
  std::string leftover;  // bytes the decoder did not use

  bool operator==(const Outcome&) const = default;
};

Outcome snapshot(ResponseDecoder& decoder, State state, std::string_view leftover) {
  Outcome out;
  out.state = state;
  out.error = std::string(decoder.error());
  out.status = decoder.response().result_int();
  out.version = decoder.response().version();
  out.reason = std::string(decoder.response().reason());
  out.body = decoder.response().body();
  out.fields = decoder.fields();
  out.has_length = decoder.rawFields().has_content_length;
  out.keep_alive = decoder.keepAlive();
  out.leftover = std::string(leftover);
  return out;
}

std::string describe(const Outcome& o) {
  return cat("state ", static_cast<int>(o.state), " error '", o.error, "' status ", o.status, " version ", o.version,
             " body ", o.body.size(), " bytes, fields ", o.fields.size(), " bytes, keepAlive ", o.keep_alive ? 1 : 0,
             ", leftover ", o.leftover.size(), " bytes");
}

// The same outcome. A refusal's state and error only: the bytes taken before it depend on the
// reads (a close-delimited body over the limit is refused with the read that crosses it).
bool same(const Outcome& a, const Outcome& b) {
  if (a.state == State::kBad || a.state == State::kTooLarge) return a.state == b.state && a.error == b.error;
  return a == b;
}

// Once final, a decoder answers the same whatever follows, and changes nothing.
void checkFinal(ResponseDecoder& decoder, const Outcome& final_outcome) {
  size_t used = 1;
  const std::string more = final_outcome.leftover + "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n0\r\n\r\n";
  FUZZ_CHECK(decoder.feed(more, used) == final_outcome.state, "a final state changed on more bytes");
  FUZZ_CHECK(used == 0, "bytes used after a final state");
  FUZZ_CHECK(decoder.finishAtEof() == final_outcome.state, "a final state changed at the close");
  Outcome again = snapshot(decoder, final_outcome.state, final_outcome.leftover);
  again.done_at_eof = final_outcome.done_at_eof;
  FUZZ_CHECK(again == final_outcome, cat("a final outcome changed: ", describe(again)));
}

// Feeds `input`: the first read ends at `first`, later reads are `chunk` bytes.
Outcome run(std::string_view input, size_t first, size_t chunk, const Mode& mode) {
  ResponseDecoder decoder(mode.limits, mode.head_request);
  std::string buffer;
  size_t offered = 0;
  State state = State::kNeedMore;
  bool done_at_eof = false;
  while (true) {
    if (!buffer.empty()) {
      size_t used = 0;
      state = decoder.feed(buffer, used);
      FUZZ_CHECK(used <= buffer.size(), cat("used ", used, " of ", buffer.size(), " bytes"));
      buffer.erase(0, used);
      FUZZ_CHECK(decoder.response().body().size() <= mode.limits.max_body_bytes, "body over the limit");
    }
    if (state != State::kNeedMore) break;
    if (offered == input.size()) {
      if (mode.eof) {
        state = decoder.finishAtEof();
        FUZZ_CHECK(state == State::kDone || state == State::kTruncated, "finishAtEof answered kNeedMore");
        done_at_eof = state == State::kDone;
      }
      break;
    }
    const size_t want = offered == 0 ? first : chunk;
    const size_t n = std::min(want == 0 ? chunk : want, input.size() - offered);
    buffer.append(input.substr(offered, n));
    offered += n;
  }
  buffer.append(input.substr(offered));
  Outcome out = snapshot(decoder, state, buffer);
  out.done_at_eof = done_at_eof;
  if (state != State::kNeedMore) checkFinal(decoder, out);
  return out;
}

bool nameIs(std::string_view name, std::string_view other) {
  return absl::EqualsIgnoreCase(portico::av(name), portico::av(other));
}

void checkFields(const Outcome& o, bool head_request) {
  std::string_view fields = o.fields;
  int lengths = 0;
  while (!fields.empty()) {
    const size_t crlf = fields.find("\r\n");
    FUZZ_CHECK(crlf != std::string_view::npos, "fields() ends in an incomplete line");
    const std::string_view line = fields.substr(0, crlf);
    fields.remove_prefix(crlf + 2);
    const size_t colon = line.find(':');
    FUZZ_CHECK(colon != std::string_view::npos && colon > 0, cat("a kept line without a name: ", line));
    const std::string_view name = line.substr(0, colon);
    for (const char c : name) {
      FUZZ_CHECK(portico::dp::http::tchar(static_cast<unsigned char>(c)), cat("a kept name is no token: ", line));
    }
    for (const char c : line.substr(colon + 1)) {
      FUZZ_CHECK(!portico::dp::http::control(static_cast<unsigned char>(c)), "a control character in a kept value");
    }
    for (const char* hop : {"connection", "keep-alive", "proxy-connection", "te", "trailer", "upgrade",
                            "transfer-encoding"}) {
      FUZZ_CHECK(!nameIs(name, hop), cat("a hop-by-hop field kept: ", line));
    }
    if (nameIs(name, "content-length")) {
      ++lengths;
      FUZZ_CHECK(!(o.status < 200 || o.status == 204 || o.status == 304), "Content-Length kept without a body");
      FUZZ_CHECK(!o.done_at_eof, "Content-Length kept for a close-delimited body");
      if (!head_request) {
        FUZZ_CHECK(line.substr(colon + 1) == cat(" ", o.body.size()), cat("a kept length is not the body's: ", line));
      }
    }
  }
  FUZZ_CHECK(lengths <= 1, "several Content-Length lines kept");
  FUZZ_CHECK(o.has_length == (lengths == 1 && !head_request), "has_content_length disagrees with the lines");
}

void checkDone(const Outcome& o, const Mode& mode) {
  FUZZ_CHECK(o.status == 101 || (o.status >= 200 && o.status <= 599), cat("final status ", o.status));
  FUZZ_CHECK(o.version == 10 || o.version == 11, cat("version ", o.version));
  if (mode.head_request || o.status < 200 || o.status == 204 || o.status == 304) {
    FUZZ_CHECK(o.body.empty(), cat("a body with status ", o.status, " or after HEAD"));
    FUZZ_CHECK(!o.done_at_eof, "a bodiless response waited for the close");
  }
  if (o.done_at_eof) FUZZ_CHECK(!o.keep_alive, "a close-delimited response kept alive");
  checkFields(o, mode.head_request);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 4 || size > portico::fuzz::kMaxInput) return 0;
  Mode mode;
  mode.head_request = (data[0] & 1) != 0;
  mode.eof = (data[0] & 2) != 0;
  if ((data[0] & 4) != 0) mode.limits = ResponseLimits{256, 512};  // small, so the fuzzer reaches them
  const std::string_view input(reinterpret_cast<const char*>(data + 4), size - 4);
  const size_t first = (static_cast<size_t>(data[1]) << 8 | data[2]) % (input.size() + 1);
  const size_t chunk = 1 + data[3] % 64;

  const Outcome whole = run(input, input.size(), input.size(), mode);
  const Outcome pieces = run(input, first, chunk, mode);
  FUZZ_CHECK(same(whole, pieces), cat("whole: ", describe(whole), " / first read ", first, " then ", chunk,
                                  "-byte reads: ", describe(pieces)));
  if (whole.state == State::kDone) checkDone(whole, mode);
  return 0;
}
