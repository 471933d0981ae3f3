#include "data-plane/http/response_decoder.h"

#include <algorithm>
#include <charconv>
#include <cstring>

#include "absl/strings/match.h"
#include "common/strings.h"
#include "data-plane/http/header_chars.h"
#include "data-plane/http/raw_fields.h"

namespace portico::dp::http {

namespace bhttp = boost::beast::http;

namespace {

constexpr std::string_view kCrlf = "\r\n";
constexpr std::string_view kHeadEnd = "\r\n\r\n";
// A chunk-size line with its extensions and CRLF (or a trailer line); Envoy and nginx allow
// about as much.
constexpr size_t kMaxChunkLine = 4096;
constexpr size_t kMaxChunkSizeDigits = 15;  // 2^60: beyond any body limit, never overflows

// `name` (a token) equals `lower` (lower-case letters and '-') ignoring case. For tchars,
// OR-ing 0x20 maps only 'A'-'Z' onto 'a'-'z' and leaves '-' as is.
bool nameIs(std::string_view name, std::string_view lower) {
  if (name.size() != lower.size()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    if ((static_cast<unsigned char>(name[i]) | 0x20) != static_cast<unsigned char>(lower[i])) return false;
  }
  return true;
}

enum class FieldKind { kEndToEnd, kContentLength, kTransferEncoding, kConnection, kHopByHop };

// The fields the decoder acts on, by length first: most names are none of them.
FieldKind classify(std::string_view name) {
  switch (name.size()) {
    case 2:
      return nameIs(name, "te") ? FieldKind::kHopByHop : FieldKind::kEndToEnd;
    case 7:
      return nameIs(name, "trailer") || nameIs(name, "upgrade") ? FieldKind::kHopByHop : FieldKind::kEndToEnd;
    case 10:
      if (nameIs(name, "connection")) return FieldKind::kConnection;
      return nameIs(name, "keep-alive") ? FieldKind::kHopByHop : FieldKind::kEndToEnd;
    case 14:
      return nameIs(name, "content-length") ? FieldKind::kContentLength : FieldKind::kEndToEnd;
    case 16:
      return nameIs(name, "proxy-connection") ? FieldKind::kHopByHop : FieldKind::kEndToEnd;
    case 17:
      return nameIs(name, "transfer-encoding") ? FieldKind::kTransferEncoding : FieldKind::kEndToEnd;
    default:
      return FieldKind::kEndToEnd;
  }
}

bool ows(char c) { return c == ' ' || c == '\t'; }

// Calls `each` with every trimmed, non-empty element of a comma-separated list.
template <typename Each>
void forEachListElement(std::string_view list, Each each) {
  while (!list.empty()) {
    const size_t comma = list.find(',');
    const std::string_view element = trimOws(list.substr(0, comma));
    if (!element.empty()) each(element);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

ResponseDecoder::ResponseDecoder(const ResponseLimits& limits, bool head_request)
    : limits_(limits), head_request_(head_request) {}

ResponseDecoder::State ResponseDecoder::fail(State state, std::string_view why) {
  error_ = std::string(why);
  failure_ = state;
  return state;
}

ResponseDecoder::State ResponseDecoder::feed(std::string_view input, size_t& used) {
  used = 0;
  if (failure_ != State::kNeedMore) return failure_;
  if (phase_ == Phase::kHead) {
    const State state = feedHead(input, used);
    if (state != State::kNeedMore || phase_ == Phase::kHead) return state;
  }
  if (phase_ == Phase::kDone) return State::kDone;
  size_t body_used = 0;
  const State state = feedBody(input.substr(used), body_used);
  used += body_used;
  return state;
}

ResponseDecoder::State ResponseDecoder::finishAtEof() {
  if (failure_ != State::kNeedMore) return failure_;
  if (phase_ == Phase::kDone || (phase_ == Phase::kBody && framing_ == Framing::kUntilClose)) {
    phase_ = Phase::kDone;
    return State::kDone;
  }
  return fail(State::kTruncated, "the upstream closed the connection before the response was complete");
}

// Finds the end of the head, parses it, and skips interim responses; stops once a final
// response's head is parsed (phase kBody or kDone) or more bytes are needed.
ResponseDecoder::State ResponseDecoder::feedHead(std::string_view input, size_t& used) {
  while (phase_ == Phase::kHead) {
    const std::string_view rest = input.substr(used);
    const size_t end = rest.find(kHeadEnd, scan_from_);
    if (end == std::string_view::npos) {
      if (rest.size() > limits_.max_head_bytes) {
        return fail(State::kTooLarge, "the response head is larger than the proxy allows");
      }
      scan_from_ = rest.size() >= 3 ? rest.size() - 3 : 0;
      return State::kNeedMore;
    }
    const size_t head_size = end + kHeadEnd.size();
    if (head_size > limits_.max_head_bytes) {
      return fail(State::kTooLarge, "the response head is larger than the proxy allows");
    }
    const State state = parseHead(rest.substr(0, head_size));
    if (state == State::kBad || state == State::kTooLarge) return state;
    used += head_size;
    scan_from_ = 0;
    if (state == State::kDone) return state;  // a bodiless response
  }
  return State::kNeedMore;
}

void ResponseDecoder::resetHead() {
  raw_ = RawFields{};
  status_ = 0;
  has_length_ = false;
  length_ = 0;
  chunked_ = false;
  close_ = false;
  keep_alive_token_ = false;
  nominated_.clear();
}

// kNeedMore when the head was accepted (the phase says what comes next), else the failure.
ResponseDecoder::State ResponseDecoder::parseHead(std::string_view head) {
  resetHead();
  size_t line_end = head.find(kCrlf);
  if (!parseStatusLine(head.substr(0, line_end))) return State::kBad;
  raw_.lines.reserve(head.size());
  size_t pos = line_end + kCrlf.size();
  while (true) {
    line_end = head.find(kCrlf, pos);
    if (line_end == pos) break;  // the empty line
    if (!parseField(head.substr(pos, line_end - pos))) return State::kBad;
    pos = line_end + kCrlf.size();
  }
  if (status_ < 200 && status_ != 101) {
    return State::kNeedMore;  // interim: the final response follows (phase stays kHead)
  }
  if (chunked_ && has_length_) {
    return fail(State::kBad, "the response has both Transfer-Encoding and Content-Length");
  }
  if (chunked_ && response_.version() < 11) {
    return fail(State::kBad, "an HTTP/1.0 response with Transfer-Encoding");
  }
  if (!nominated_.empty()) dropNominatedFields();
  keep_alive_ = !close_ && (response_.version() >= 11 || keep_alive_token_);
  return startBody();
}

bool ResponseDecoder::parseStatusLine(std::string_view line) {
  // HTTP-version SP 3DIGIT [SP reason-phrase]; the SP before an empty reason is often missing.
  if (line.size() < 12 || line.substr(0, 5) != "HTTP/" || line[6] != '.' || line[8] != ' ' || line[5] != '1' ||
      (line[7] != '0' && line[7] != '1')) {
    fail(State::kBad, "the status line is not \"HTTP/1.x NNN reason\"");
    return false;
  }
  unsigned status = 0;
  for (size_t i = 9; i < 12; ++i) {
    if (line[i] < '0' || line[i] > '9') {
      fail(State::kBad, "the status code is not three digits");
      return false;
    }
    status = status * 10 + static_cast<unsigned>(line[i] - '0');
  }
  if (status < 100 || status > 599) {
    fail(State::kBad, cat("status code ", status, " is out of range"));
    return false;
  }
  std::string_view reason;
  if (line.size() > 12) {
    if (line[12] != ' ') {
      fail(State::kBad, "the status code is not three digits");
      return false;
    }
    reason = line.substr(13);
    if (hasControl(reason.data(), reason.size())) {
      fail(State::kBad, "control character in the reason phrase");
      return false;
    }
  }
  status_ = status;
  response_.result(status);
  response_.version(line[7] == '1' ? 11 : 10);
  // The usual reason is not stored: the writer puts it back (wire_writer.h).
  if (!reason.empty() && reason != bhttp::obsolete_reason(static_cast<bhttp::status>(status))) {
    response_.reason(boost::beast::string_view(reason.data(), reason.size()));
    reason_stored_ = true;
  } else if (reason_stored_) {
    response_.reason({});  // an interim response's
    reason_stored_ = false;
  }
  return true;
}

bool ResponseDecoder::parseField(std::string_view line) {
  if (line.empty() || ows(line[0])) {
    fail(State::kBad, "a header line starts with whitespace (obsolete line folding)");
    return false;
  }
  size_t colon = 0;
  while (colon < line.size() && tchar(static_cast<unsigned char>(line[colon]))) ++colon;
  if (colon == 0 || colon == line.size() || line[colon] != ':') {
    fail(State::kBad, "a header name is not a token directly followed by ':'");
    return false;
  }
  // A bare CR or LF inside a line is a control character too.
  if (hasControl(line.data() + colon + 1, line.size() - colon - 1)) {
    fail(State::kBad, "control character in a header value");
    return false;
  }
  const std::string_view name = line.substr(0, colon);
  const FieldKind kind = classify(name);
  if (kind == FieldKind::kEndToEnd) {  // most lines: kept as they are, value untouched
    raw_.append(name, std::string_view(line.data(), line.size() + kCrlf.size()));  // the CRLF follows
    return true;
  }
  const std::string_view value = trimOws(line.substr(colon + 1));
  switch (kind) {
    case FieldKind::kEndToEnd:
      break;
    case FieldKind::kContentLength:
      return parseContentLength(value);
    case FieldKind::kTransferEncoding:
      if (chunked_ || !absl::EqualsIgnoreCase(av(value), "chunked")) {
        fail(State::kBad, "a Transfer-Encoding other than a single \"chunked\"");
        return false;
      }
      chunked_ = true;
      return true;
    case FieldKind::kConnection:
      parseConnection(value);
      return true;
    case FieldKind::kHopByHop:
      return true;
  }
  return true;
}

bool ResponseDecoder::parseContentLength(std::string_view value) {
  bool ok = true;
  int elements = 0;
  forEachListElement(value, [&](std::string_view element) {
    ++elements;
    uint64_t length = 0;
    if (element.size() > 19) ok = false;  // 10^19 > 2^63: beyond any body limit anyway
    for (const char c : element) {
      if (c < '0' || c > '9') ok = false;
      length = length * 10 + static_cast<uint64_t>(c - '0');
    }
    if (has_length_ && length != length_) ok = false;
    has_length_ = true;
    length_ = length;
  });
  if (!ok || elements == 0) {
    fail(State::kBad, "an invalid or conflicting Content-Length");
    return false;
  }
  return true;
}

void ResponseDecoder::parseConnection(std::string_view value) {
  forEachListElement(value, [&](std::string_view token) {
    if (absl::EqualsIgnoreCase(av(token), "close")) {
      close_ = true;
    } else if (absl::EqualsIgnoreCase(av(token), "keep-alive")) {
      keep_alive_token_ = true;
    } else if (!absl::EqualsIgnoreCase(av(token), "upgrade")) {
      nominated_.emplace_back(token);
    }
  });
}

// Fields the Connection field names are hop-by-hop too (RFC 9110 §7.6.1). Rare: the kept lines
// are filtered again here rather than checking every line against the list as it is parsed.
void ResponseDecoder::dropNominatedFields() {
  for (const std::string& token : nominated_) eraseRawField(raw_, token);
}

void ResponseDecoder::appendContentLength() {
  constexpr std::string_view kName = "Content-Length";
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof(digits), length_).ptr;
  raw_.lines.append(kName).append(": ").append(digits, static_cast<size_t>(end - digits)).append(kCrlf);
  raw_.append(kName, {});  // the name's bit; the line is already there
}

ResponseDecoder::State ResponseDecoder::startBody() {
  const bool bodiless_status = status_ < 200 || status_ == 204 || status_ == 304;
  const bool bodiless = head_request_ || bodiless_status;
  if (has_length_ && !chunked_ && !bodiless_status) appendContentLength();
  raw_.has_content_length = has_length_ && !bodiless;
  if (bodiless) {
    framing_ = Framing::kNone;
    phase_ = Phase::kDone;
    return State::kDone;
  }
  phase_ = Phase::kBody;
  if (chunked_) {
    framing_ = Framing::kChunked;
  } else if (has_length_) {
    if (length_ > limits_.max_body_bytes) {
      return fail(State::kTooLarge, "the response body is larger than the proxy allows");
    }
    framing_ = Framing::kLength;
    remaining_ = length_;
    response_.body().reserve(length_);
    if (length_ == 0) phase_ = Phase::kDone;
  } else {
    framing_ = Framing::kUntilClose;
    keep_alive_ = false;
  }
  return phase_ == Phase::kDone ? State::kDone : State::kNeedMore;
}

ResponseDecoder::State ResponseDecoder::feedBody(std::string_view input, size_t& used) {
  std::string& body = response_.body();
  switch (framing_) {
    case Framing::kLength: {
      const size_t take = static_cast<size_t>(std::min<uint64_t>(remaining_, input.size()));
      body.append(input.data(), take);
      used = take;
      remaining_ -= take;
      if (remaining_ > 0) return State::kNeedMore;
      phase_ = Phase::kDone;
      return State::kDone;
    }
    case Framing::kUntilClose:
      if (body.size() + input.size() > limits_.max_body_bytes) {
        return fail(State::kTooLarge, "the response body is larger than the proxy allows");
      }
      body.append(input);
      used = input.size();
      return State::kNeedMore;
    case Framing::kChunked:
      return feedChunked(input, used);
    case Framing::kNone:
      break;
  }
  phase_ = Phase::kDone;
  return State::kDone;
}

ResponseDecoder::State ResponseDecoder::feedChunked(std::string_view input, size_t& used) {
  std::string& body = response_.body();
  while (true) {
    const std::string_view rest = input.substr(used);
    if (chunk_phase_ == ChunkPhase::kData) {
      const size_t take = static_cast<size_t>(std::min<uint64_t>(remaining_, rest.size()));
      body.append(rest.data(), take);
      used += take;
      remaining_ -= take;
      if (remaining_ > 0) return State::kNeedMore;
      chunk_phase_ = ChunkPhase::kDataEnd;
      continue;
    }
    if (chunk_phase_ == ChunkPhase::kDataEnd) {
      if (rest.size() < kCrlf.size()) return State::kNeedMore;
      if (rest.substr(0, kCrlf.size()) != kCrlf) return fail(State::kBad, "a chunk is not followed by CRLF");
      used += kCrlf.size();
      chunk_phase_ = ChunkPhase::kSize;
      continue;
    }
    // A line: the chunk size, or a trailer line (dropped) until the empty one.
    // One bound whether or not the LF has arrived yet, so the decision does not depend on how
    // the bytes are split into reads: without its LF, kMaxChunkLine bytes can no longer end
    // within kMaxChunkLine.
    const size_t lf = rest.find('\n');
    if (lf == std::string_view::npos ? rest.size() >= kMaxChunkLine : lf >= kMaxChunkLine) {
      return fail(State::kBad, "a chunk-size or trailer line is too long");
    }
    if (lf == std::string_view::npos) return State::kNeedMore;
    if (lf == 0 || rest[lf - 1] != '\r') return fail(State::kBad, "a chunked-body line ends in LF without CR");
    const std::string_view line = rest.substr(0, lf - 1);
    used += lf + 1;
    if (chunk_phase_ == ChunkPhase::kSize) {
      if (!parseChunkSize(line)) return State::kBad;
      if (body.size() + remaining_ > limits_.max_body_bytes) {
        return fail(State::kTooLarge, "the response body is larger than the proxy allows");
      }
      chunk_phase_ = remaining_ == 0 ? ChunkPhase::kTrailer : ChunkPhase::kData;
      continue;
    }
    if (line.empty()) {
      phase_ = Phase::kDone;
      return State::kDone;
    }
    trailer_bytes_ += lf + 1;
    if (trailer_bytes_ > limits_.max_head_bytes) {
      return fail(State::kTooLarge, "the response trailer is larger than the proxy allows");
    }
    if (ows(line[0]) || line.find(':') == std::string_view::npos) {
      return fail(State::kBad, "a trailer line is not a header field");
    }
  }
}

// chunk-size [BWS ";" chunk-ext]: the extension is ignored, but may not hold control characters.
bool ResponseDecoder::parseChunkSize(std::string_view line) {
  uint64_t size = 0;
  size_t digits = 0;
  size_t significant = 0;  // digits after leading zeros: "000005" is a size of 5
  while (digits < line.size() && hexValue(line[digits]) >= 0) {
    if (significant > 0 || line[digits] != '0') ++significant;
    if (significant > kMaxChunkSizeDigits) {
      fail(State::kBad, "a chunk size is too large");
      return false;
    }
    size = size * 16 + static_cast<uint64_t>(hexValue(line[digits]));
    ++digits;
  }
  std::string_view rest = line.substr(digits);
  while (!rest.empty() && ows(rest.front())) rest.remove_prefix(1);
  const bool extension_ok =
      rest.empty() || (rest.front() == ';' && std::none_of(rest.begin(), rest.end(), [](char c) {
                         return control(static_cast<unsigned char>(c));
                       }));
  if (digits == 0 || !extension_ok) {
    fail(State::kBad, "an invalid chunk-size line");
    return false;
  }
  remaining_ = size;
  return true;
}

}  // namespace portico::dp::http
