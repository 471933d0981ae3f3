// ResponseDecoder (data-plane/http/response_decoder.h) on raw upstream bytes: every accept and
// refuse rule of its header comment, the framings, keepAlive(), the kept header lines, the
// limits, which bytes it uses, and that none of it depends on how the bytes arrive in reads.

#include "data-plane/http/response_decoder.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace portico::dp::http {
namespace {

namespace bhttp = boost::beast::http;
using State = ResponseDecoder::State;

struct Conditions {
  ResponseLimits limits{};
  bool head_request = false;
  bool eof = false;  // the upstream closes after the last piece
};

Conditions withLimits(size_t max_head, uint64_t max_body) {
  Conditions s;
  s.limits.max_head_bytes = max_head;
  s.limits.max_body_bytes = max_body;
  return s;
}

Conditions headRequest() {
  Conditions s;
  s.head_request = true;
  return s;
}

Conditions atEof() {
  Conditions s;
  s.eof = true;
  return s;
}

struct Decoded {
  State state = State::kNeedMore;
  unsigned status = 0;
  unsigned version = 0;
  std::string reason;
  std::string body;
  std::string fields;
  bool has_length = false;  // RawFields::has_content_length
  bool keep_alive = false;
  std::string leftover;  // bytes the decoder did not use, and pieces never offered
  std::string error;
};

std::string name(State state) {
  switch (state) {
    case State::kNeedMore:
      return "kNeedMore";
    case State::kDone:
      return "kDone";
    case State::kBad:
      return "kBad";
    case State::kTooLarge:
      return "kTooLarge";
    case State::kTruncated:
      return "kTruncated";
  }
  return "?";
}

// Feeds the pieces as the upstream exchange does (router/upstream_request.cc): a buffer of the
// bytes not yet used; each read appends a piece, the buffered bytes are fed and the used ones
// dropped; at the end of the pieces the connection closes when `setup.eof`.
Decoded feedPieces(const std::vector<std::string_view>& pieces, const Conditions& setup = {}) {
  ResponseDecoder decoder(setup.limits, setup.head_request);
  std::string buffer;
  State state = State::kNeedMore;
  size_t next = 0;
  while (true) {
    if (!buffer.empty()) {
      size_t used = 0;
      state = decoder.feed(buffer, used);
      EXPECT_LE(used, buffer.size());
      buffer.erase(0, used);
    }
    if (state != State::kNeedMore) break;
    if (next == pieces.size()) {
      if (setup.eof) state = decoder.finishAtEof();
      break;
    }
    buffer.append(pieces[next++]);
  }
  Decoded out;
  out.state = state;
  out.status = decoder.response().result_int();
  out.version = decoder.response().version();
  out.reason = std::string(decoder.response().reason());
  out.body = decoder.response().body();
  out.fields = decoder.fields();
  out.has_length = decoder.rawFields().has_content_length;
  out.keep_alive = decoder.keepAlive();
  out.leftover = buffer;
  for (; next < pieces.size(); ++next) out.leftover.append(pieces[next]);
  out.error = std::string(decoder.error());
  return out;
}

Decoded decode(std::string_view input, const Conditions& setup = {}) { return feedPieces({input}, setup); }

// What must not depend on the reads: the state, and for a complete response all it decoded.
void expectSame(const Decoded& a, const Decoded& b, const std::string& how) {
  ASSERT_EQ(name(a.state), name(b.state)) << how << "; errors: '" << a.error << "' / '" << b.error << "'";
  if (a.state != State::kDone) return;
  EXPECT_EQ(a.status, b.status) << how;
  EXPECT_EQ(a.version, b.version) << how;
  EXPECT_EQ(a.reason, b.reason) << how;
  EXPECT_EQ(a.body, b.body) << how;
  EXPECT_EQ(a.fields, b.fields) << how;
  EXPECT_EQ(a.keep_alive, b.keep_alive) << how;
  EXPECT_EQ(a.leftover, b.leftover) << how;
}

// Decodes `input` at once, in every split into two reads and one byte per read; all must agree.
Decoded decodeAnyway(std::string_view input, const Conditions& setup = {}) {
  const Decoded whole = decode(input, setup);
  for (size_t at = 0; at <= input.size(); ++at) {
    expectSame(whole, feedPieces({input.substr(0, at), input.substr(at)}, setup),
               "split at " + std::to_string(at));
    if (::testing::Test::HasFatalFailure()) return whole;
  }
  std::vector<std::string_view> singles;
  for (size_t i = 0; i < input.size(); ++i) singles.push_back(input.substr(i, 1));
  expectSame(whole, feedPieces(singles, setup), "one byte per read");
  return whole;
}

State stateOf(std::string_view input, const Conditions& setup = {}) { return decodeAnyway(input, setup).state; }

// A literal with embedded NULs, whole.
template <size_t N>
std::string bytes(const char (&literal)[N]) {
  return std::string(literal, N - 1);
}

// A minimal complete response with `head` as its status line and header lines (each with CRLF).
std::string withEmptyBody(std::string_view head) { return std::string(head) + "Content-Length: 0\r\n\r\n"; }

// ---------------------------------------------------------------------------------------------
// The status line.

TEST(ResponseDecoderTest, AcceptsTheStatusLineForms) {
  Decoded ok = decodeAnyway(withEmptyBody("HTTP/1.1 200 OK\r\n"));
  EXPECT_EQ(ok.state, State::kDone);
  EXPECT_EQ(ok.status, 200u);
  EXPECT_EQ(ok.reason, "OK");

  Decoded no_reason = decodeAnyway(withEmptyBody("HTTP/1.1 404 \r\n"));
  EXPECT_EQ(no_reason.state, State::kDone) << no_reason.error;
  EXPECT_EQ(no_reason.status, 404u);

  // The SP before an empty reason is often left out.
  Decoded no_sp = decodeAnyway(withEmptyBody("HTTP/1.1 503\r\n"));
  EXPECT_EQ(no_sp.state, State::kDone) << no_sp.error;
  EXPECT_EQ(no_sp.status, 503u);

  Decoded spaces = decodeAnyway(withEmptyBody("HTTP/1.1 418 I am  a teapot \r\n"));
  EXPECT_EQ(spaces.state, State::kDone);
  EXPECT_EQ(spaces.reason, "I am  a teapot ");
}

TEST(ResponseDecoderTest, AcceptsHttp10AndHttp11Only) {
  EXPECT_EQ(decodeAnyway(withEmptyBody("HTTP/1.1 200 OK\r\n")).version, 11u);
  EXPECT_EQ(decodeAnyway(withEmptyBody("HTTP/1.0 200 OK\r\n")).version, 10u);
  for (const char* line : {"HTTP/1.2 200 OK\r\n", "HTTP/2.0 200 OK\r\n", "HTTP/0.9 200 OK\r\n", "http/1.1 200 OK\r\n",
                           "HTTP/1.1  200 OK\r\n", "HTTP/11 200 OK\r\n", "ICY 200 OK\r\n", " HTTP/1.1 200 OK\r\n",
                           "HTTP/1.1\t200 OK\r\n"}) {
    EXPECT_EQ(stateOf(withEmptyBody(line)), State::kBad) << line;
  }
}

TEST(ResponseDecoderTest, StatusMustBe100To599) {
  EXPECT_EQ(stateOf(withEmptyBody("HTTP/1.1 099 Low\r\n")), State::kBad);
  EXPECT_EQ(stateOf(withEmptyBody("HTTP/1.1 000 Zero\r\n")), State::kBad);
  EXPECT_EQ(stateOf(withEmptyBody("HTTP/1.1 600 High\r\n")), State::kBad);
  EXPECT_EQ(stateOf(withEmptyBody("HTTP/1.1 999 High\r\n")), State::kBad);
  Decoded top = decodeAnyway(withEmptyBody("HTTP/1.1 599 Top\r\n"));
  EXPECT_EQ(top.state, State::kDone);
  EXPECT_EQ(top.status, 599u);
  // 100 is valid: an interim response, then the final one.
  Decoded interim = decodeAnyway("HTTP/1.1 100 Continue\r\n\r\n" + withEmptyBody("HTTP/1.1 200 OK\r\n"));
  EXPECT_EQ(interim.state, State::kDone);
  EXPECT_EQ(interim.status, 200u);
}

TEST(ResponseDecoderTest, StatusMustBeThreeDigits) {
  for (const char* line : {"HTTP/1.1 2x0 OK\r\n", "HTTP/1.1 20 OK\r\n", "HTTP/1.1 2000 OK\r\n", "HTTP/1.1 -20 OK\r\n",
                           "HTTP/1.1 +20 OK\r\n", "HTTP/1.1 ２00 OK\r\n", "HTTP/1.1 200OK\r\n", "HTTP/1.1 20\r\n",
                           "HTTP/1.1 \r\n"}) {
    EXPECT_EQ(stateOf(withEmptyBody(line)), State::kBad) << line;
  }
}

TEST(ResponseDecoderTest, RefusesControlCharactersInTheReason) {
  EXPECT_EQ(stateOf(withEmptyBody(bytes("HTTP/1.1 200 O\0K\r\n"))), State::kBad);
  EXPECT_EQ(stateOf(withEmptyBody("HTTP/1.1 200 O\x01K\r\n")), State::kBad);
  EXPECT_EQ(stateOf(withEmptyBody("HTTP/1.1 200 O\x7fK\r\n")), State::kBad);
  EXPECT_EQ(stateOf(withEmptyBody("HTTP/1.1 200 O\rK\r\n")), State::kBad);
  EXPECT_EQ(stateOf(withEmptyBody("HTTP/1.1 200 O\nK\r\n")), State::kBad);
  // HTAB and obs-text are allowed (RFC 9112 §4: reason-phrase).
  Decoded tab = decodeAnyway(withEmptyBody("HTTP/1.1 200 O\tK\r\n"));
  EXPECT_EQ(tab.state, State::kDone);
  EXPECT_EQ(tab.reason, "O\tK");
  Decoded high = decodeAnyway(withEmptyBody("HTTP/1.1 200 D\xe9j\xe0 vu\r\n"));
  EXPECT_EQ(high.state, State::kDone);
  EXPECT_EQ(high.reason, "D\xe9j\xe0 vu");
}

TEST(ResponseDecoderTest, UsualReasonIsNotStoredAndAnUnusualOneIsKept) {
  // Not stored: reason() falls back to Beast's own text for the status (the same literal).
  Decoded ok = decode(withEmptyBody("HTTP/1.1 200 OK\r\n"));
  EXPECT_EQ(ok.reason, "OK");
  {
    ResponseDecoder decoder(ResponseLimits{}, false);
    size_t used = 0;
    ASSERT_EQ(decoder.feed(withEmptyBody("HTTP/1.1 200 OK\r\n"), used), State::kDone);
    EXPECT_EQ(decoder.response().reason().data(), bhttp::obsolete_reason(bhttp::status::ok).data())
        << "the usual reason is Beast's, not a stored copy";
  }
  {
    ResponseDecoder decoder(ResponseLimits{}, false);
    size_t used = 0;
    ASSERT_EQ(decoder.feed(withEmptyBody("HTTP/1.1 200 All Good\r\n"), used), State::kDone);
    EXPECT_EQ(decoder.response().reason(), "All Good");
    EXPECT_NE(decoder.response().reason().data(), bhttp::obsolete_reason(bhttp::status::ok).data());
  }
  EXPECT_EQ(decode(withEmptyBody("HTTP/1.1 200 ok\r\n")).reason, "ok") << "case matters";
  EXPECT_EQ(decode(withEmptyBody("HTTP/1.1 404 Not Found\r\n")).reason, "Not Found");
  EXPECT_EQ(decode(withEmptyBody("HTTP/1.1 404 Nope\r\n")).reason, "Nope");
  EXPECT_EQ(decode(withEmptyBody("HTTP/1.1 200\r\n")).reason, "OK") << "a missing reason reads as the usual one";
  // An interim response's unusual reason does not stay for the final response.
  {
    ResponseDecoder decoder(ResponseLimits{}, false);
    size_t used = 0;
    ASSERT_EQ(decoder.feed("HTTP/1.1 103 Hints Here\r\n\r\n" + withEmptyBody("HTTP/1.1 200 OK\r\n"), used),
              State::kDone);
    EXPECT_EQ(decoder.response().reason().data(), bhttp::obsolete_reason(bhttp::status::ok).data());
  }
  EXPECT_EQ(decode("HTTP/1.1 103 Hints Here\r\n\r\n" + withEmptyBody("HTTP/1.1 201 Made\r\n")).reason, "Made");
}

// ---------------------------------------------------------------------------------------------
// Header lines.

TEST(ResponseDecoderTest, RefusesObsoleteLineFolding) {
  EXPECT_EQ(stateOf(withEmptyBody("HTTP/1.1 200 OK\r\nX-A: a\r\n b\r\n")), State::kBad);
  EXPECT_EQ(stateOf(withEmptyBody("HTTP/1.1 200 OK\r\nX-A: a\r\n\tb\r\n")), State::kBad);
  EXPECT_EQ(stateOf(withEmptyBody("HTTP/1.1 200 OK\r\n X-A: a\r\n")), State::kBad) << "the first line folded";
}

TEST(ResponseDecoderTest, RefusesWhitespaceBeforeTheColon) {
  EXPECT_EQ(stateOf(withEmptyBody("HTTP/1.1 200 OK\r\nX-A : a\r\n")), State::kBad);
  EXPECT_EQ(stateOf(withEmptyBody("HTTP/1.1 200 OK\r\nX-A\t: a\r\n")), State::kBad);
  EXPECT_EQ(stateOf("HTTP/1.1 200 OK\r\nContent-Length : 5\r\n\r\nhello"), State::kBad);
  EXPECT_EQ(stateOf("HTTP/1.1 200 OK\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n"), State::kBad);
}

TEST(ResponseDecoderTest, RefusesNamesThatAreNotTokens) {
  EXPECT_EQ(stateOf(withEmptyBody("HTTP/1.1 200 OK\r\n: empty-name\r\n")), State::kBad);
  EXPECT_EQ(stateOf(withEmptyBody("HTTP/1.1 200 OK\r\nNo-Colon\r\n")), State::kBad);
  EXPECT_EQ(stateOf(withEmptyBody("HTTP/1.1 200 OK\r\nX(a): b\r\n")), State::kBad);
  EXPECT_EQ(stateOf(withEmptyBody("HTTP/1.1 200 OK\r\nX@a: b\r\n")), State::kBad);
  EXPECT_EQ(stateOf(withEmptyBody("HTTP/1.1 200 OK\r\nX\xe9: b\r\n")), State::kBad);
  EXPECT_EQ(stateOf(withEmptyBody("HTTP/1.1 200 OK\r\nX\nY: b\r\n")), State::kBad) << "bare LF in a name";
  EXPECT_EQ(stateOf(withEmptyBody("HTTP/1.1 200 OK\r\nX-A: a\r\n\rX-B: b\r\n")), State::kBad)
      << "a line that starts with a CR and is not the empty line";
  EXPECT_EQ(stateOf(withEmptyBody("HTTP/1.1 200 OK\r\n\rX-B: b\r\n")), State::kBad) << "the same, first";
  // Every tchar is fine.
  EXPECT_EQ(stateOf(withEmptyBody("HTTP/1.1 200 OK\r\n!#$%&'*+-.^_`|~09azAZ: b\r\n")), State::kDone);
}

TEST(ResponseDecoderTest, RefusesControlCharactersInValues) {
  EXPECT_EQ(stateOf(withEmptyBody(bytes("HTTP/1.1 200 OK\r\nX-A: a\0b\r\n"))), State::kBad) << "NUL";
  EXPECT_EQ(stateOf(withEmptyBody("HTTP/1.1 200 OK\r\nX-A: a\x7f"
                                  "b\r\n")),
            State::kBad)
      << "DEL";
  EXPECT_EQ(stateOf(withEmptyBody("HTTP/1.1 200 OK\r\nX-A: a\rb\r\n")), State::kBad) << "bare CR";
  EXPECT_EQ(stateOf(withEmptyBody("HTTP/1.1 200 OK\r\nX-A: a\nb\r\n")), State::kBad) << "bare LF";
  EXPECT_EQ(stateOf(withEmptyBody("HTTP/1.1 200 OK\r\nX-A: a\x1b"
                                  "b\r\n")),
            State::kBad)
      << "ESC";
  EXPECT_EQ(stateOf(withEmptyBody("HTTP/1.1 200 OK\r\nX-A: a\r\r\n")), State::kBad) << "CR before the CRLF";
  EXPECT_EQ(stateOf("HTTP/1.1 200 OK\nContent-Length: 0\n\n"), State::kNeedMore) << "LF-only lines never end the head";
  EXPECT_EQ(stateOf("HTTP/1.1 200 OK\nContent-Length: 0\n\n", atEof()), State::kTruncated);
  EXPECT_EQ(stateOf("HTTP/1.1 200 OK\r\nX-A: 0\n\r\nContent-Length: 0\r\n\r\n"), State::kBad) << "LF before CRLF";
}

TEST(ResponseDecoderTest, AllowsHtabAndObsTextInValues) {
  const std::string line = "X-A:\ta\tb \xff\x80\xc3\xa9\t\r\n";
  Decoded d = decodeAnyway(withEmptyBody("HTTP/1.1 200 OK\r\n" + line));
  EXPECT_EQ(d.state, State::kDone) << d.error;
  EXPECT_EQ(d.fields, line + "Content-Length: 0\r\n") << "kept byte for byte";
}

TEST(ResponseDecoderTest, ContentLengthListOfEqualValuesIsOneLength) {
  Decoded d = decodeAnyway("HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\n\r\nhelloNEXT");
  EXPECT_EQ(d.state, State::kDone) << d.error;
  EXPECT_EQ(d.body, "hello");
  EXPECT_EQ(d.leftover, "NEXT");
  EXPECT_EQ(decodeAnyway("HTTP/1.1 200 OK\r\nContent-Length: 5,5 ,\t5\r\n\r\nhello").body, "hello");
  EXPECT_EQ(stateOf("HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\nhelloX"), State::kBad);
  EXPECT_EQ(stateOf("HTTP/1.1 200 OK\r\nContent-Length: 5, 05\r\n\r\nhello"), State::kDone)
      << "equal values, spelled differently";
}

TEST(ResponseDecoderTest, RepeatedContentLengthLinesMustAgree) {
  Decoded same = decodeAnyway("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: 1\r\ncontent-length: 5\r\n\r\nhello");
  EXPECT_EQ(same.state, State::kDone);
  EXPECT_EQ(same.body, "hello");
  EXPECT_EQ(same.fields, "X-A: 1\r\nContent-Length: 5\r\n") << "one normalised line";
  EXPECT_EQ(stateOf("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhelloX"), State::kBad);
  EXPECT_EQ(stateOf("HTTP/1.1 200 OK\r\nContent-Length: 6\r\nContent-Length: 5\r\n\r\nhelloX"), State::kBad);
}

TEST(ResponseDecoderTest, RefusesContentLengthsThatAreNotDigits) {
  for (const char* value : {"", " ", ",", " , ", "abc", "-1", "+5", "5a", "0x5", "5 5", "5.0", "1e3", "\xef\xbc\x95"}) {
    EXPECT_EQ(stateOf(std::string("HTTP/1.1 200 OK\r\nContent-Length: ") + value + "\r\n\r\nhello"), State::kBad)
        << "'" << value << "'";
  }
  // 20 digits are refused outright (they could overflow); 19 are a length, too large here.
  EXPECT_EQ(stateOf("HTTP/1.1 200 OK\r\nContent-Length: 00000000000000000005\r\n\r\nhello"), State::kBad);
  EXPECT_EQ(stateOf("HTTP/1.1 200 OK\r\nContent-Length: 18446744073709551621\r\n\r\nhello"), State::kBad)
      << "2^64 + 5 must not wrap to 5";
  EXPECT_EQ(stateOf("HTTP/1.1 200 OK\r\nContent-Length: 0000000000000000005\r\n\r\nhello"), State::kDone);
  EXPECT_EQ(stateOf("HTTP/1.1 200 OK\r\nContent-Length: 9999999999999999999\r\n\r\nhello"), State::kTooLarge);
}

TEST(ResponseDecoderTest, TransferEncodingChunkedInAnyCaseWithOws) {
  for (const char* value : {"chunked", "Chunked", "CHUNKED", "cHuNkEd", " chunked", "chunked\t", "\t chunked  "}) {
    Decoded d = decodeAnyway(std::string("HTTP/1.1 200 OK\r\nTransfer-Encoding:") + value +
                             "\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
    EXPECT_EQ(d.state, State::kDone) << "'" << value << "': " << d.error;
    EXPECT_EQ(d.body, "hello") << value;
    EXPECT_EQ(d.fields, "") << "Transfer-Encoding is not kept";
  }
}

TEST(ResponseDecoderTest, RefusesTransferCodingsOtherThanOneChunked) {
  const std::string body = "\r\n\r\n5\r\nhello\r\n0\r\n\r\n";
  for (const char* value : {"gzip", "gzip, chunked", "chunked, gzip", "chunked, chunked", "chunked,", "identity",
                            "xchunked", "chunked;q=1", "", "\"chunked\""}) {
    EXPECT_EQ(stateOf(std::string("HTTP/1.1 200 OK\r\nTransfer-Encoding: ") + value + body), State::kBad)
        << "'" << value << "'";
  }
  EXPECT_EQ(stateOf("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked" + body),
            State::kBad)
      << "two Transfer-Encoding lines";
}

TEST(ResponseDecoderTest, RefusesTransferEncodingWithContentLength) {
  EXPECT_EQ(stateOf("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
            State::kBad);
  EXPECT_EQ(stateOf("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
            State::kBad);
}

TEST(ResponseDecoderTest, RefusesTransferEncodingInHttp10) {
  EXPECT_EQ(stateOf("HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"), State::kBad);
}

// ---------------------------------------------------------------------------------------------
// Framing.

TEST(ResponseDecoderTest, ContentLengthBody) {
  Decoded d = decodeAnyway("HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello world");
  EXPECT_EQ(d.state, State::kDone);
  EXPECT_EQ(d.body, "hello world");
  EXPECT_TRUE(d.keep_alive);
  // Any bytes, CR LF and NUL included, are body.
  const std::string binary = bytes("\r\n\0\r\n\r\n\xff");
  EXPECT_EQ(decodeAnyway("HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\n" + binary).body, binary);
}

TEST(ResponseDecoderTest, ContentLengthZeroEndsAfterTheHead) {
  Decoded d = decodeAnyway("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200 OK\r\n");
  EXPECT_EQ(d.state, State::kDone);
  EXPECT_EQ(d.body, "");
  EXPECT_EQ(d.leftover, "HTTP/1.1 200 OK\r\n");
}

TEST(ResponseDecoderTest, ChunkedBodyIsDechunked) {
  Decoded d = decodeAnyway(
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-A: 1\r\n\r\n"
      "5\r\nhello\r\n"
      "1;name=value\r\n \r\n"
      "6 ; a=b;c=\"d e\"\r\nworld!\r\n"
      "A\r\n0123456789\r\n"
      "00b\r\nabcdefghijk\r\n"
      "0\r\n\r\nNEXT");
  EXPECT_EQ(d.state, State::kDone) << d.error;
  EXPECT_EQ(d.body, "hello world!0123456789abcdefghijk");
  EXPECT_EQ(d.fields, "X-A: 1\r\n");
  EXPECT_EQ(d.leftover, "NEXT");
  EXPECT_TRUE(d.keep_alive);
  EXPECT_EQ(decodeAnyway("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nFf\r\n" + std::string(255, 'x') +
                         "\r\n0\r\n\r\n")
                .body.size(),
            255u)
      << "upper- and lower-case hex";
  EXPECT_EQ(decodeAnyway("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n").body, "");
}

TEST(ResponseDecoderTest, ChunkedTrailerLinesAreDropped) {
  Decoded d = decodeAnyway(
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n"
      "3\r\nabc\r\n0\r\nX-Sum: 123\r\nX-Other: a b\r\n\r\nNEXT");
  EXPECT_EQ(d.state, State::kDone) << d.error;
  EXPECT_EQ(d.body, "abc");
  EXPECT_EQ(d.fields, "") << "neither Trailer nor the trailer fields";
  EXPECT_EQ(d.leftover, "NEXT");
  EXPECT_EQ(stateOf("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nnot a field\r\n\r\n"), State::kBad);
  EXPECT_EQ(stateOf("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n folded: x\r\n\r\n"), State::kBad);
}

TEST(ResponseDecoderTest, RefusesBadChunkSizes) {
  const std::string head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (const char* line : {"", "g", "-5", "+5", "0x5", "5x", " 5", ";ext", "5;ext\x01", "5;ext\x7f", "5 x",
                           "1000000000000000"}) {
    EXPECT_EQ(stateOf(head + line + "\r\nhello\r\n0\r\n\r\n"), State::kBad) << "'" << line << "'";
  }
  EXPECT_EQ(stateOf(head + "000000000000005\r\nhello\r\n0\r\n\r\n"), State::kDone) << "15 hex digits";
  EXPECT_EQ(stateOf(head + "00000000000000000000005\r\nhello\r\n0000\r\n\r\n"), State::kDone)
      << "leading zeros do not count against the size's digits";
}

TEST(ResponseDecoderTest, RefusesAChunkNotFollowedByCrlf) {
  const std::string head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  EXPECT_EQ(stateOf(head + "5\r\nhelloX\r\n0\r\n\r\n"), State::kBad);
  EXPECT_EQ(stateOf(head + "5\r\nhello\n0\r\n\r\n"), State::kBad);
  EXPECT_EQ(stateOf(head + "5\r\nhello\r0\r\n\r\n"), State::kBad);
  EXPECT_EQ(stateOf(head + "5\r\nhello0\r\n\r\n"), State::kBad);
  EXPECT_EQ(stateOf(head + "5\r\nhello\r"), State::kNeedMore);
  EXPECT_EQ(stateOf(head + "5\r\nhello\r", atEof()), State::kTruncated);
}

TEST(ResponseDecoderTest, RefusesABareLfInTheChunkedFraming) {
  const std::string head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  EXPECT_EQ(stateOf(head + "5\nhello\r\n0\r\n\r\n"), State::kBad) << "chunk-size line";
  EXPECT_EQ(stateOf(head + "5\r\nhello\r\n0\n\r\n"), State::kBad) << "last-chunk line";
  EXPECT_EQ(stateOf(head + "5\r\nhello\r\n0\r\nX: y\n\r\n"), State::kBad) << "trailer line";
  EXPECT_EQ(stateOf(head + "5\r\nhello\r\n0\r\n\n"), State::kBad) << "final empty line";
  EXPECT_EQ(stateOf(head + "\n5\r\nhello\r\n0\r\n\r\n"), State::kBad) << "an empty line of just LF";
}

// A chunk-size line (or trailer line), with its CRLF, may be 4096 bytes; the decision must not
// depend on whether the line arrives in one read or in several.
TEST(ResponseDecoderTest, ChunkSizeLineLongerThan4096BytesIsRefused) {
  const std::string head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  auto lineOf = [](size_t bytes) {  // "5;x...x\r\n", `bytes` long with its CRLF
    return "5;" + std::string(bytes - 4, 'x') + "\r\n";
  };
  ASSERT_EQ(lineOf(4096).size(), 4096u);
  Decoded at_limit = decodeAnyway(head + lineOf(4096) + "hello\r\n0\r\n\r\n");
  EXPECT_EQ(at_limit.state, State::kDone) << at_limit.error;
  EXPECT_EQ(at_limit.body, "hello");
  EXPECT_EQ(stateOf(head + lineOf(4097) + "hello\r\n0\r\n\r\n"), State::kBad);
  EXPECT_EQ(stateOf(head + lineOf(5000) + "hello\r\n0\r\n\r\n"), State::kBad);
  // The same bound for a trailer line.
  const std::string trailer_at_limit = "X: " + std::string(4096 - 5, 'y') + "\r\n";
  ASSERT_EQ(trailer_at_limit.size(), 4096u);
  EXPECT_EQ(stateOf(head + "0\r\n" + trailer_at_limit + "\r\n"), State::kDone);
  EXPECT_EQ(stateOf(head + "0\r\nX" + trailer_at_limit + "\r\n"), State::kBad);
  // Without its LF yet: refused once it cannot end within the bound any more.
  EXPECT_EQ(decode(head + "5;" + std::string(4092, 'x') + "\r").state, State::kNeedMore);
  EXPECT_EQ(decode(head + "5;" + std::string(4094, 'x')).state, State::kBad);
}

TEST(ResponseDecoderTest, CloseDelimitedBodyEndsAtEof) {
  const std::string input = "HTTP/1.1 200 OK\r\nX-A: 1\r\n\r\nall of this\r\n\r\nis body";
  Decoded open = decodeAnyway(input);
  EXPECT_EQ(open.state, State::kNeedMore) << "without a length the body runs until the close";
  Decoded closed = decodeAnyway(input, atEof());
  EXPECT_EQ(closed.state, State::kDone);
  EXPECT_EQ(closed.body, "all of this\r\n\r\nis body");
  EXPECT_EQ(closed.fields, "X-A: 1\r\n");
  EXPECT_FALSE(closed.keep_alive);
  Decoded empty = decodeAnyway("HTTP/1.1 200 OK\r\n\r\n", atEof());
  EXPECT_EQ(empty.state, State::kDone);
  EXPECT_EQ(empty.body, "");
}

TEST(ResponseDecoderTest, EofBeforeTheEndIsTruncated) {
  EXPECT_EQ(stateOf("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello", atEof()), State::kTruncated);
  EXPECT_EQ(stateOf("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello"), State::kNeedMore);
  EXPECT_EQ(stateOf("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", atEof()), State::kTruncated);
  EXPECT_EQ(stateOf("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n", atEof()),
            State::kTruncated);
  EXPECT_EQ(stateOf("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n", atEof()),
            State::kTruncated)
      << "the trailer's empty line is missing";
  EXPECT_EQ(stateOf("HTTP/1.1 200 OK\r\nContent-Le", atEof()), State::kTruncated);
  EXPECT_EQ(stateOf("", atEof()), State::kTruncated);
  EXPECT_EQ(stateOf("HTTP/1.1 100 Continue\r\n\r\n", atEof()), State::kTruncated) << "only an interim response";
}

TEST(ResponseDecoderTest, HeadRequestHasNoBodyButKeepsItsLength) {
  Decoded d = decodeAnyway("HTTP/1.1 200 OK\r\nX-A: 1\r\nContent-Length: 1234\r\nX-B: 2\r\n\r\nHTTP/1.1", headRequest());
  EXPECT_EQ(d.state, State::kDone);
  EXPECT_EQ(d.body, "");
  EXPECT_EQ(d.fields, "X-A: 1\r\nX-B: 2\r\nContent-Length: 1234\r\n") << "a normalised line, after the others";
  EXPECT_EQ(d.leftover, "HTTP/1.1") << "what follows is the next response";
  EXPECT_TRUE(d.keep_alive);

  Decoded list = decodeAnyway("HTTP/1.1 200 OK\r\ncontent-length:  7 ,7\r\n\r\n", headRequest());
  EXPECT_EQ(list.fields, "Content-Length: 7\r\n");
  // A length over the body limit describes a body the HEAD answer does not have.
  Decoded big = decodeAnyway("HTTP/1.1 200 OK\r\nContent-Length: 999999999999\r\n\r\n", headRequest());
  EXPECT_EQ(big.state, State::kDone);
  EXPECT_EQ(big.fields, "Content-Length: 999999999999\r\n");

  Decoded chunked = decodeAnyway("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", headRequest());
  EXPECT_EQ(chunked.state, State::kDone);
  EXPECT_EQ(chunked.fields, "");
  Decoded none = decodeAnyway("HTTP/1.1 200 OK\r\n\r\n", headRequest());
  EXPECT_EQ(none.state, State::kDone) << "no body to wait for without a length either";
  EXPECT_EQ(none.fields, "");
  EXPECT_TRUE(none.keep_alive);
}

TEST(ResponseDecoderTest, HeadRequestKeepsNoLengthFor204And304) {
  for (const char* status : {"204 No Content", "304 Not Modified"}) {
    Decoded d =
        decodeAnyway(std::string("HTTP/1.1 ") + status + "\r\nContent-Length: 5\r\nETag: \"x\"\r\n\r\n", headRequest());
    EXPECT_EQ(d.state, State::kDone) << status;
    EXPECT_EQ(d.fields, "ETag: \"x\"\r\n") << status;
  }
}

TEST(ResponseDecoderTest, NoBodyFor204And304EvenWithALength) {
  for (const char* status : {"204 No Content", "304 Not Modified"}) {
    Decoded d = decodeAnyway(std::string("HTTP/1.1 ") + status + "\r\nContent-Length: 5\r\nETag: \"x\"\r\n\r\nhello");
    EXPECT_EQ(d.state, State::kDone) << status;
    EXPECT_EQ(d.body, "") << status;
    EXPECT_EQ(d.fields, "ETag: \"x\"\r\n") << status;
    EXPECT_EQ(d.leftover, "hello") << status << ": the stray bytes are not this response's";
    EXPECT_TRUE(d.keep_alive);
    Decoded chunked =
        decodeAnyway(std::string("HTTP/1.1 ") + status + "\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
    EXPECT_EQ(chunked.state, State::kDone) << status;
    EXPECT_EQ(chunked.leftover, "0\r\n\r\n") << status;
  }
  Decoded no_length = decodeAnyway("HTTP/1.1 204 No Content\r\n\r\n");
  EXPECT_EQ(no_length.state, State::kDone) << "not close-delimited";
  EXPECT_TRUE(no_length.keep_alive);
}

TEST(ResponseDecoderTest, InterimResponsesAreSkipped) {
  Decoded one = decodeAnyway(
      "HTTP/1.1 100 Continue\r\nX-Interim: 1\r\n\r\n"
      "HTTP/1.1 200 OK\r\nX-Final: 1\r\nContent-Length: 2\r\n\r\nhi");
  EXPECT_EQ(one.state, State::kDone);
  EXPECT_EQ(one.status, 200u);
  EXPECT_EQ(one.fields, "X-Final: 1\r\nContent-Length: 2\r\n") << "the interim response's fields are not kept";
  EXPECT_EQ(one.body, "hi");

  Decoded two = decodeAnyway(
      "HTTP/1.1 100 Continue\r\n\r\n"
      "HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\nConnection: close\r\n\r\n"
      "HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\nnoX");
  EXPECT_EQ(two.state, State::kDone);
  EXPECT_EQ(two.status, 404u);
  EXPECT_EQ(two.fields, "Content-Length: 2\r\n");
  EXPECT_EQ(two.body, "no");
  EXPECT_EQ(two.leftover, "X");
  EXPECT_TRUE(two.keep_alive) << "an interim response's Connection does not apply to the final one";

  // An interim response's own fields are judged like any other.
  EXPECT_EQ(stateOf("HTTP/1.1 100 Continue\r\nX : y\r\n\r\n" + withEmptyBody("HTTP/1.1 200 OK\r\n")), State::kBad);
  EXPECT_EQ(stateOf("HTTP/1.1 100 Continue\r\n\r\n" + withEmptyBody("HTTP/1.1 600 OK\r\n")), State::kBad);
  EXPECT_EQ(stateOf("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n"), State::kNeedMore);
}

TEST(ResponseDecoderTest, SwitchingProtocolsEndsAfterTheHead) {
  Decoded d = decodeAnyway(
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Accept: abc=\r\n\r\n\x81\x05hello");
  EXPECT_EQ(d.state, State::kDone);
  EXPECT_EQ(d.status, 101u);
  EXPECT_EQ(d.body, "");
  EXPECT_EQ(d.fields, "Sec-WebSocket-Accept: abc=\r\n");
  EXPECT_EQ(d.leftover, "\x81\x05hello") << "the tunnel's first bytes are the caller's";
}

// ---------------------------------------------------------------------------------------------
// keepAlive().

TEST(ResponseDecoderTest, KeepAliveFollowsVersionAndConnection) {
  EXPECT_TRUE(decodeAnyway(withEmptyBody("HTTP/1.1 200 OK\r\n")).keep_alive);
  EXPECT_FALSE(decodeAnyway(withEmptyBody("HTTP/1.1 200 OK\r\nConnection: close\r\n")).keep_alive);
  EXPECT_FALSE(decodeAnyway(withEmptyBody("HTTP/1.1 200 OK\r\nconnection: X-A, CLOSE\r\n")).keep_alive);
  EXPECT_FALSE(decodeAnyway(withEmptyBody("HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nConnection: close\r\n"))
                   .keep_alive);
  EXPECT_FALSE(decodeAnyway(withEmptyBody("HTTP/1.0 200 OK\r\n")).keep_alive);
  EXPECT_TRUE(decodeAnyway(withEmptyBody("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n")).keep_alive);
  EXPECT_TRUE(decodeAnyway(withEmptyBody("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\n")).keep_alive);
  EXPECT_FALSE(decodeAnyway(withEmptyBody("HTTP/1.0 200 OK\r\nConnection: keep-alive, close\r\n")).keep_alive);
  EXPECT_TRUE(decodeAnyway(withEmptyBody("HTTP/1.1 200 OK\r\nConnection: closed\r\n")).keep_alive)
      << "'closed' is not 'close'";
  EXPECT_FALSE(decodeAnyway("HTTP/1.1 200 OK\r\n\r\nbody", atEof()).keep_alive) << "close-delimited";
  EXPECT_FALSE(decodeAnyway("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n\r\nbody", atEof()).keep_alive)
      << "close-delimited";
}

// ---------------------------------------------------------------------------------------------
// fields().

TEST(ResponseDecoderTest, EndToEndLinesAreKeptByteExactInOrder) {
  const std::string lines =
      "Set-Cookie: a=1; Path=/\r\n"
      "x-lower:value\r\n"
      "X-Spaces:   padded  \t\r\n"
      "Set-Cookie: b=2\r\n"
      "Content-Type: text/plain\r\n"
      "X-Empty:\r\n"
      "Date: Tue, 01 Jan 2030 00:00:00 GMT\r\n";
  Decoded d = decodeAnyway("HTTP/1.1 200 OK\r\n" + lines + "Content-Length: 2\r\n\r\nok");
  EXPECT_EQ(d.state, State::kDone);
  EXPECT_EQ(d.fields, lines + "Content-Length: 2\r\n") << "the length that framed the body last";
}

TEST(ResponseDecoderTest, HopByHopFieldsAreRemoved) {
  Decoded d = decodeAnyway(
      "HTTP/1.1 200 OK\r\n"
      "X-Before: 1\r\n"
      "Connection: keep-alive\r\n"
      "Keep-Alive: timeout=5\r\n"
      "Proxy-Connection: keep-alive\r\n"
      "TE: trailers\r\n"
      "Trailer: X-Sum\r\n"
      "Upgrade: h2c\r\n"
      "Transfer-Encoding: chunked\r\n"
      "X-After: 2\r\n\r\n"
      "0\r\n\r\n");
  EXPECT_EQ(d.state, State::kDone) << d.error;
  EXPECT_EQ(d.fields, "X-Before: 1\r\nX-After: 2\r\n");

  Decoded upper = decodeAnyway(
      "HTTP/1.1 200 OK\r\nCONNECTION: Keep-Alive\r\nkeep-alive: max=3\r\nPROXY-CONNECTION: x\r\nte: x\r\n"
      "TRAILER: x\r\nupgrade: x\r\nCONTENT-LENGTH: 2\r\nX-Kept: 1\r\n\r\nok");
  EXPECT_EQ(upper.state, State::kDone) << upper.error;
  EXPECT_EQ(upper.fields, "X-Kept: 1\r\nContent-Length: 2\r\n");
  EXPECT_EQ(upper.body, "ok");

  // Names that only start like a hop-by-hop one are end-to-end.
  const std::string similar = "TEs: 1\r\nTrailers: 2\r\nUpgrade-Insecure: 3\r\nConnections: 4\r\nContent-Lengths: 5\r\n";
  EXPECT_EQ(decodeAnyway("HTTP/1.1 200 OK\r\n" + similar + "Content-Length: 0\r\n\r\n").fields,
            similar + "Content-Length: 0\r\n");
}

// The session adds a Content-Length only when the kept lines lack an exact one.
TEST(ResponseDecoderTest, TheLengthThatFramedTheBodyIsKeptAndFlagged) {
  Decoded length = decodeAnyway("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-A: 1\r\n\r\nok");
  EXPECT_EQ(length.fields, "X-A: 1\r\nContent-Length: 2\r\n");
  EXPECT_TRUE(length.has_length);

  Decoded chunked = decodeAnyway("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n");
  EXPECT_EQ(chunked.fields, "");
  EXPECT_FALSE(chunked.has_length) << "the session frames a de-chunked body";

  Conditions eof;
  eof.eof = true;
  Decoded until_close = decode("HTTP/1.1 200 OK\r\nX-A: 1\r\n\r\nbody", eof);
  EXPECT_EQ(until_close.state, State::kDone);
  EXPECT_EQ(until_close.fields, "X-A: 1\r\n");
  EXPECT_FALSE(until_close.has_length);

  Decoded head = decodeAnyway("HTTP/1.1 200 OK\r\nContent-Length: 42\r\n\r\n", headRequest());
  EXPECT_EQ(head.fields, "Content-Length: 42\r\n");
  EXPECT_FALSE(head.has_length) << "it describes a GET's body, not the (empty) one read";

  Decoded no_content = decodeAnyway("HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n");
  EXPECT_EQ(no_content.fields, "");
  EXPECT_FALSE(no_content.has_length);
}

TEST(ResponseDecoderTest, FieldsNamedByConnectionAreRemoved) {
  Decoded d = decodeAnyway(
      "HTTP/1.1 200 OK\r\n"
      "x-foo: 1\r\n"
      "X-Foo-Bar: 2\r\n"
      "Connection: X-FOO, x-baz\r\n"
      "X-Keep: 3\r\n"
      "X-Baz: 4\r\n"
      "Connection: close, X-Qux\r\n"
      "x-qux: 5\r\n"
      "X-FOO: 6\r\n"
      "Content-Length: 0\r\n\r\n");
  EXPECT_EQ(d.state, State::kDone);
  EXPECT_EQ(d.fields, "X-Foo-Bar: 2\r\nX-Keep: 3\r\nContent-Length: 0\r\n")
      << "by name, ignoring case; a longer name stays";
  EXPECT_FALSE(d.keep_alive);
  // Connection: upgrade names a hop-by-hop field anyway; nothing else goes.
  EXPECT_EQ(decodeAnyway(withEmptyBody("HTTP/1.1 200 OK\r\nConnection: upgrade\r\nX-A: 1\r\n")).fields,
            "X-A: 1\r\nContent-Length: 0\r\n");
}

// ---------------------------------------------------------------------------------------------
// Limits.

TEST(ResponseDecoderTest, HeadAtTheLimitIsAcceptedAndOneByteMoreIsNot) {
  const std::string start = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nX-Pad: ";
  const std::string end = "\r\n\r\n";
  const size_t limit = 200;
  const std::string at_limit = start + std::string(limit - start.size() - end.size(), 'p') + end;
  ASSERT_EQ(at_limit.size(), limit);
  Decoded ok = decodeAnyway(at_limit + "NEXT", withLimits(limit, 100));
  EXPECT_EQ(ok.state, State::kDone);
  EXPECT_EQ(ok.leftover, "NEXT");
  const std::string over = start + std::string(limit - start.size() - end.size() + 1, 'p') + end;
  EXPECT_EQ(stateOf(over, withLimits(limit, 100)), State::kTooLarge);
  // An incomplete head is refused as soon as it is over the limit, not only at its end.
  EXPECT_EQ(stateOf(over.substr(0, limit), withLimits(limit, 100)), State::kNeedMore);
  EXPECT_EQ(stateOf(over.substr(0, limit + 1), withLimits(limit, 100)), State::kTooLarge);
  EXPECT_EQ(stateOf(std::string(limit + 1, 'x'), withLimits(limit, 100)), State::kTooLarge);
  // Each head counts on its own: an interim response does not use up the final one's room.
  EXPECT_EQ(stateOf("HTTP/1.1 100 Continue\r\nX-Pad: " + std::string(limit - 40, 'p') + "\r\n\r\n" + at_limit,
                    withLimits(limit, 100)),
            State::kDone);
}

TEST(ResponseDecoderTest, ContentLengthOverTheLimitIsRefusedAtOnce) {
  const Conditions s = withLimits(1024, 10);
  EXPECT_EQ(stateOf("HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n", s), State::kTooLarge) << "before any body";
  EXPECT_EQ(stateOf("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789", s), State::kDone);
  EXPECT_EQ(stateOf("HTTP/1.1 204 No Content\r\nContent-Length: 11\r\n\r\n", s), State::kDone) << "no body";
}

TEST(ResponseDecoderTest, ChunkedBodyOverTheLimitIsRefused) {
  const Conditions s = withLimits(1024, 10);
  const std::string head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  EXPECT_EQ(stateOf(head + "6\r\n012345\r\n4\r\n6789\r\n0\r\n\r\n", s), State::kDone);
  EXPECT_EQ(stateOf(head + "6\r\n012345\r\n5\r\n", s), State::kTooLarge) << "at the chunk size, before its data";
  EXPECT_EQ(stateOf(head + "fffffffffffffff\r\n", s), State::kTooLarge);
  // Trailers count against the head limit.
  const Conditions small_head = withLimits(64, 10);
  EXPECT_EQ(stateOf(head + "0\r\nX-T: " + std::string(40, 't') + "\r\n\r\n", small_head), State::kDone);
  EXPECT_EQ(stateOf(head + "0\r\nX-T: " + std::string(40, 't') + "\r\nX-U: " + std::string(40, 'u') + "\r\n\r\n",
                    small_head),
            State::kTooLarge);
}

TEST(ResponseDecoderTest, CloseDelimitedBodyOverTheLimitIsRefused) {
  Conditions s = withLimits(1024, 10);
  s.eof = true;
  EXPECT_EQ(stateOf("HTTP/1.1 200 OK\r\n\r\n0123456789", s), State::kDone);
  EXPECT_EQ(stateOf("HTTP/1.1 200 OK\r\n\r\n0123456789X", s), State::kTooLarge);
  s.eof = false;
  EXPECT_EQ(stateOf("HTTP/1.1 200 OK\r\n\r\n0123456789X", s), State::kTooLarge) << "before the close";
}

// ---------------------------------------------------------------------------------------------
// Which bytes are used, and what a final state means.

TEST(ResponseDecoderTest, BytesAfterTheResponseAreNotUsed) {
  const std::string next = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
  EXPECT_EQ(decodeAnyway("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc" + next).leftover, next);
  EXPECT_EQ(decodeAnyway("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n" + next).leftover,
            next);
  EXPECT_EQ(decodeAnyway("HTTP/1.1 304 Not Modified\r\n\r\n" + next).leftover, next);
  EXPECT_EQ(decodeAnyway("HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\n" + next).leftover, next);

  // One feed: exactly the response's bytes are used.
  const std::string response = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc";
  ResponseDecoder decoder(ResponseLimits{}, false);
  size_t used = 99;
  ASSERT_EQ(decoder.feed(response + next, used), State::kDone);
  EXPECT_EQ(used, response.size());
  // Fed again (it never should be), it stays done and uses nothing.
  EXPECT_EQ(decoder.feed(next, used), State::kDone);
  EXPECT_EQ(used, 0u);
  EXPECT_EQ(decoder.response().body(), "abc");
}

TEST(ResponseDecoderTest, HeadIsUsedOnlyOnceComplete) {
  ResponseDecoder decoder(ResponseLimits{}, false);
  size_t used = 99;
  EXPECT_EQ(decoder.feed("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r", used), State::kNeedMore);
  EXPECT_EQ(used, 0u) << "an incomplete head stays in the caller's buffer";
  EXPECT_EQ(decoder.feed("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel", used), State::kNeedMore);
  EXPECT_EQ(used, 41u) << "the head and the body bytes so far";
  EXPECT_EQ(decoder.feed("lo", used), State::kDone);
  EXPECT_EQ(used, 2u);
  EXPECT_EQ(decoder.response().body(), "hello");
}

TEST(ResponseDecoderTest, FailuresAreFinal) {
  struct Case {
    std::string input;
    Conditions setup;
    State state;
  };
  const std::vector<Case> cases = {
      {"HTTP/1.1 600 No\r\n\r\n", {}, State::kBad},
      {"HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n", withLimits(1024, 10), State::kTooLarge},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nb\r\n", withLimits(1024, 10), State::kTooLarge},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", {}, State::kBad},
      {"HTTP/1.1 200 OK\r\n\r\n0123456789X", withLimits(1024, 10), State::kTooLarge},
  };
  for (const Case& c : cases) {
    ResponseDecoder decoder(c.setup.limits, false);
    size_t used = 0;
    ASSERT_EQ(decoder.feed(c.input, used), c.state) << c.input;
    const std::string error(decoder.error());
    // Neither more bytes nor the close turn a refused response into a complete one.
    EXPECT_EQ(decoder.feed("0\r\n\r\n", used), c.state) << c.input;
    EXPECT_EQ(used, 0u) << c.input;
    EXPECT_EQ(decoder.finishAtEof(), c.state) << c.input;
    EXPECT_EQ(decoder.error(), error) << c.input;
  }
  ResponseDecoder truncated(ResponseLimits{}, false);
  size_t used = 0;
  EXPECT_EQ(truncated.feed("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab", used), State::kNeedMore);
  EXPECT_EQ(truncated.finishAtEof(), State::kTruncated);
  EXPECT_EQ(truncated.finishAtEof(), State::kTruncated);
  EXPECT_EQ(truncated.feed("cde", used), State::kTruncated);
}

// ---------------------------------------------------------------------------------------------
// The outcome does not depend on the reads (every input above goes through decodeAnyway too).

TEST(ResponseDecoderTest, SplitInvariance) {
  const std::vector<std::string> inputs = {
      "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: 1\r\n\r\nhelloHTTP/1.1",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;a=b\r\nhello\r\nA\r\n0123456789\r\n0\r\nT: 1\r\n\r\nX",
      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Hints\r\nLink: <a>\r\n\r\nHTTP/1.1 201 Made\r\nContent-Length: 1\r\n\r\n!",
      "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok",
      "HTTP/1.0 200 OK\r\n\r\nclose-delimited\r\n\r\n",
      "HTTP/1.1 204 No Content\r\nContent-Length: 3\r\n\r\nabc",
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n\x81\x00",
      "HTTP/1.1 200 OK\r\nConnection: x-a\r\nX-A: 1\r\nX-B: 2\r\nContent-Length: 0\r\n\r\n",
      "HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n",
      // Refused, or incomplete.
      "HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\nhello",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\nhello\r\n0\r\n\r\n",
      "HTTP/1.1 200 OK\r\nX-A: a\r\n b\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel",
      "HTTP/1.1 600 OK\r\n\r\n",
      "HTTP/1.1 200 OK\r\n\r\nabc\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: 0\n\n",
      "",
  };
  for (const std::string& input : inputs) {
    for (const bool eof : {false, true}) {
      for (const bool head_request : {false, true}) {
        Conditions s = withLimits(128, 16);
        s.eof = eof;
        s.head_request = head_request;
        SCOPED_TRACE(::testing::Message() << "eof " << eof << " HEAD " << head_request << ": " << input);
        decodeAnyway(input, s);
      }
    }
  }
}

}  // namespace
}  // namespace portico::dp::http
