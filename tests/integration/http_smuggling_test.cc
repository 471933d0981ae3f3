// End to end over raw TCP: request smuggling shapes (CL.TE, TE.CL, TE.TE, duplicate and
// malformed Content-Length, obs-fold, bare line endings…) are each answered 400 with a JSON
// body and the connection closed, and the echo backends prove that nothing of them — neither
// the outer request nor the smuggled one — ever reached an upstream. Then the limits (431, 414,
// 413) and the slowloris header timeout (408), with the idle timeout shown to be separate.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/time/clock.h"
#include "tests/integration/http_hardening_env.h"
#include "tests/support/raw_connection.h"

namespace portico::testing {
namespace {

using hardening::Environment;

class HttpSmugglingTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    env_ = new Environment();
    setup_error_ = env_->start();
  }
  static void TearDownTestSuite() {
    env_->stop();
    delete env_;
    env_ = nullptr;
  }
  void SetUp() override { ASSERT_EQ(setup_error_, "") << "suite set-up failed"; }
  void TearDown() override {
    if (HasFailure()) env_->printLogs();
  }

  static uint16_t port() { return env_->ports().public_; }

  // Sends `bytes` on a fresh connection (then stops sending) and reads until the proxy closes.
  static RawConnection::Received exchange(const std::string& bytes, uint16_t to = port()) {
    auto connection = RawConnection::connect(to);
    if (!connection.ok()) return {};
    (*connection)->send(bytes);
    (*connection)->shutdownWrite();
    return (*connection)->readUntilClose(absl::Seconds(5));
  }

  // The exchange must be one refusal with `status`, a JSON body naming `code`, "Connection:
  // close", and the connection closed by the proxy.
  static void expectRefused(const std::string& bytes, int status, const std::string& code) {
    const RawConnection::Received got = exchange(bytes);
    EXPECT_EQ(statusOf(got.data), status) << got.data;
    EXPECT_EQ(responseCount(got.data), 1) << "exactly one response: " << got.data;
    EXPECT_TRUE(absl::StrContains(absl::AsciiStrToLower(got.data), "connection: close")) << got.data;
    EXPECT_TRUE(absl::StrContains(got.data, cat("\"error\":\"", code, "\""))) << got.data;
    EXPECT_TRUE(got.closed) << "the proxy must close the connection";
  }

  static Environment* env_;
  static std::string setup_error_;
};

Environment* HttpSmugglingTest::env_ = nullptr;
std::string HttpSmugglingTest::setup_error_;

struct SmuggleCase {
  std::string name;
  std::string bytes;  // the outer request (to /public/smuggle-…) with a smuggled one inside
  std::string code;   // the refusal's error code
};

// The inner request every case tries to smuggle (41 bytes).
constexpr char kInner[] = "GET /admin/smuggled HTTP/1.1\r\nHost: x\r\n\r\n";

// A literal with embedded NULs, whole.
template <size_t N>
std::string raw(const char (&literal)[N]) {
  return std::string(literal, N - 1);
}

std::vector<SmuggleCase> smuggleCases() {
  const std::string inner = kInner;
  const std::string post = "POST /public/smuggle HTTP/1.1\r\nHost: x\r\n";
  const std::string chunked_inner = cat("29\r\n", inner, "\r\n0\r\n\r\n");  // 0x29 = 41
  return {
      {"CL.TE", cat(post, "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", inner),
       "bad_transfer_encoding"},
      {"TE.CL", cat(post, "Transfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n", chunked_inner),
       "bad_content_length"},
      {"TE.TE xchunked", cat(post, "Transfer-Encoding: xchunked\r\n\r\n", inner), "bad_transfer_encoding"},
      {"TE.TE xchunked with CL", cat(post, "Transfer-Encoding: xchunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n", inner),
       "ambiguous_framing"},
      {"TE.TE space before colon", cat(post, "Transfer-Encoding : chunked\r\n\r\n", chunked_inner),
       "bad_header_name"},
      {"TE.TE tab before colon", cat(post, "Transfer-Encoding\t: chunked\r\n\r\n", chunked_inner),
       "bad_header_name"},
      {"TE.TE chunked then identity",
       cat(post, "Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n", chunked_inner),
       "bad_transfer_encoding"},
      {"TE.TE identity then chunked",
       cat(post, "Transfer-Encoding: identity\r\nTransfer-Encoding: chunked\r\n\r\n", chunked_inner),
       "bad_transfer_encoding"},
      {"TE.TE list", cat(post, "Transfer-Encoding: chunked, identity\r\n\r\n", inner), "bad_transfer_encoding"},
      {"TE.TE vertical tab", cat(post, "Transfer-Encoding:\x0b" "chunked\r\n\r\n", chunked_inner),
       "bad_header_value"},
      {"TE.TE leading space line", cat(post, " Transfer-Encoding: chunked\r\n\r\n", chunked_inner),
       "obsolete_line_folding"},
      {"TE.TE obs-fold value", cat(post, "Transfer-Encoding:\r\n chunked\r\n\r\n", chunked_inner),
       "obsolete_line_folding"},
      {"TE in HTTP/1.0",
       cat("POST /public/smuggle HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", chunked_inner),
       "bad_transfer_encoding"},
      {"duplicate CL, same value", cat(post, "Content-Length: 41\r\nContent-Length: 41\r\n\r\n", inner),
       "ambiguous_framing"},
      {"duplicate CL, different values", cat(post, "Content-Length: 0\r\nContent-Length: 41\r\n\r\n", inner),
       "ambiguous_framing"},
      {"CL list", cat(post, "Content-Length: 41, 41\r\n\r\n", inner), "bad_content_length"},
      {"CL with plus sign", cat(post, "Content-Length: +41\r\n\r\n", inner), "bad_content_length"},
      {"CL negative", cat(post, "Content-Length: -1\r\n\r\n", inner), "bad_content_length"},
      {"CL inner space", cat(post, "Content-Length: 4 1\r\n\r\n", inner), "bad_content_length"},
      {"CL obs-fold", cat(post, "Content-Length: 0\r\n 41\r\n\r\n", inner), "obsolete_line_folding"},
      {"bare LF", cat("POST /public/smuggle HTTP/1.1\nHost: x\nContent-Length: 0\n\n", inner),
       "bad_line_ending"},
      {"NUL in a header", cat(post, raw("X-A: a\0b\r\n\r\n"), inner), "bad_header_value"},
      {"two Host fields", cat(post, "Host: y\r\nContent-Length: 0\r\n\r\n", inner), "bad_host"},
  };
}

TEST_F(HttpSmugglingTest, AmbiguousFramingIsRefusedAndNeverForwarded) {
  for (const SmuggleCase& c : smuggleCases()) {
    SCOPED_TRACE(c.name);
    expectRefused(c.bytes, 400, c.code);
  }
  // The upstreams saw nothing of any of it: no outer request, no smuggled one, no garbage.
  for (const char* backend : {"public", "admin"}) {
    for (const std::string& entry : env_->received(backend)) {
      EXPECT_FALSE(absl::StrContains(entry, "smuggl")) << backend << " received: " << entry;
      EXPECT_FALSE(absl::StartsWith(entry, "!")) << backend << " could not parse: " << entry;
    }
  }
}

// Legal framing stays legal: whitespace around "chunked" is OWS (RFC 9110 §5.5), and the body
// goes upstream re-framed with a Content-Length, so nothing after it can become a request.
TEST_F(HttpSmugglingTest, ValidChunkedBodyIsReframed) {
  const std::string body = "hello";
  const RawConnection::Received got = exchange(
      cat("POST /public/chunked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding:\tChunked \r\n"
          "Connection: close\r\n\r\n5\r\n", body, "\r\n0\r\n\r\n"));
  EXPECT_EQ(statusOf(got.data), 200) << got.data;
  EXPECT_TRUE(absl::StrContains(got.data, "\"content-length\":\"5\"")) << got.data;
  EXPECT_FALSE(absl::StrContains(got.data, "\"transfer-encoding\"")) << got.data;
  EXPECT_TRUE(absl::StrContains(got.data, "\"body_bytes\":5")) << got.data;
}

// A client that stops sending after its request (shutdown of its side, as `nc -N` does) gets
// its answer and then the close: the proxy sees the end of input although it came with the
// request. (A read that waits for epoll after a short read would miss it without EPOLLRDHUP:
// net/read_readiness.h; this failed against such a version.) The listener's idle timeout is
// 10 s, longer than the read's 5 s bound, so the close cannot be the idle timeout's.
TEST_F(HttpSmugglingTest, TheClientsCloseBehindItsRequestsEndsTheConnectionAfterTheAnswers) {
  const std::string one = "GET /public/half-close HTTP/1.1\r\nHost: x\r\n\r\n";
  RawConnection::Received got = exchange(one);
  EXPECT_EQ(statusOf(got.data), 200) << got.data;
  EXPECT_TRUE(got.closed) << "the proxy must close once the client's input has ended";
  got = exchange(one + one);
  // (The echo's JSON body ends without a newline: the second status line is counted anywhere.)
  int answers = 0;
  for (size_t at = 0; (at = got.data.find("HTTP/1.1 200 OK\r\n", at)) != std::string::npos; ++at) ++answers;
  EXPECT_EQ(answers, 2) << got.data;
  EXPECT_TRUE(got.closed) << "the proxy must close once the client's input has ended";
}

TEST_F(HttpSmugglingTest, HeaderCountLimitIs431) {
  std::string at_limit = "GET /public/count HTTP/1.1\r\nHost: x\r\nConnection: close\r\n";
  for (int i = 0; i < 18; ++i) at_limit += cat("X-H", i, ": v\r\n");  // 20 with Host, Connection
  EXPECT_EQ(statusOf(exchange(at_limit + "\r\n").data), 200);
  expectRefused(at_limit + "X-One-Too-Many: v\r\n\r\n", 431, "too_many_headers");
}

TEST_F(HttpSmugglingTest, HeaderSizeLimitIs431) {
  expectRefused(cat("GET /public/size HTTP/1.1\r\nHost: x\r\nX-Big: ", std::string(8200, 'b'), "\r\n\r\n"),
                431, "request_headers_too_large");
  // Never buffered past the limit: refused while the header line is still arriving.
  auto connection = RawConnection::connect(port());
  ASSERT_TRUE(connection.ok());
  (*connection)->send(cat("GET /public/size HTTP/1.1\r\nHost: x\r\nX-Big: ", std::string(9000, 'b')));
  const RawConnection::Received got = (*connection)->readUntilClose(absl::Seconds(5));
  EXPECT_EQ(statusOf(got.data), 431) << got.data;
  EXPECT_TRUE(got.closed);
}

TEST_F(HttpSmugglingTest, RequestLineLimitIs414) {
  expectRefused(cat("GET /public/", std::string(1100, 'u'), " HTTP/1.1\r\nHost: x\r\n\r\n"), 414,
                "uri_too_long");
  EXPECT_EQ(statusOf(exchange(cat("GET /public/", std::string(900, 'u'),
                                  " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
                         .data),
            200);
}

TEST_F(HttpSmugglingTest, BodyLimitIs413) {
  expectRefused(cat("POST /public/body HTTP/1.1\r\nHost: x\r\nContent-Length: 2000\r\n\r\n",
                    std::string(2000, 'b')),
                413, "request_body_too_large");
  expectRefused(cat("POST /public/body HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n7d0\r\n",
                    std::string(2000, 'b'), "\r\n0\r\n\r\n"),
                413, "request_body_too_large");
  EXPECT_EQ(statusOf(exchange(cat("POST /public/body HTTP/1.1\r\nHost: x\r\nContent-Length: 1024\r\n"
                                  "Connection: close\r\n\r\n",
                                  std::string(1024, 'b')))
                         .data),
            200);
}

// Slowloris: the head must be complete within header_timeout (2 s) of the accept, however
// steadily the client dribbles; the cut is a 408 and a close.
TEST_F(HttpSmugglingTest, SlowHeadersAreCutAtTheDeadline) {
  auto connection = RawConnection::connect(port());
  ASSERT_TRUE(connection.ok());
  const absl::Time start = absl::Now();
  const std::string head = "GET /public/slow HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaa\r\n\r\n";
  std::string got;
  bool cut = false;
  for (char c : head) {  // one byte per second, checking for the cut in between
    if (!(*connection)->send(std::string_view(&c, 1))) break;
    const RawConnection::Received r = (*connection)->readUntilClose(absl::Seconds(1));
    got += r.data;
    if (r.closed) {
      cut = true;
      break;
    }
    if (absl::Now() - start > absl::Seconds(8)) break;
  }
  const absl::Duration elapsed = absl::Now() - start;
  EXPECT_TRUE(cut) << "the connection must be closed at the header deadline";
  EXPECT_EQ(statusOf(got), 408) << got;
  EXPECT_TRUE(absl::StrContains(got, "\"error\":\"request_timeout\"")) << got;
  EXPECT_GE(elapsed, absl::Milliseconds(1500));
  EXPECT_LT(elapsed, absl::Seconds(4)) << "cut at about 2 s, not at the idle timeout (10 s)";
  for (const std::string& entry : env_->received("public")) {
    EXPECT_FALSE(absl::StrContains(entry, "/public/slow")) << "never forwarded";
  }
}

// The idle timeout (10 s) is separate: a kept-alive connection may wait longer than the header
// timeout (2 s) for its next request; once that request's first byte arrives, its head has 2 s.
TEST_F(HttpSmugglingTest, IdleTimeoutIsSeparateFromHeaderTimeout) {
  auto connection = RawConnection::connect(port());
  ASSERT_TRUE(connection.ok());
  const std::string request = "GET /public/idle HTTP/1.1\r\nHost: x\r\n\r\n";
  std::string got;
  ASSERT_TRUE((*connection)->send(request));
  ASSERT_TRUE((*connection)->readUntil(got, "\"body_bytes\":0}", absl::Seconds(5))) << got;
  absl::SleepFor(absl::Milliseconds(3000));  // longer than header_timeout, shorter than idle
  got.clear();
  ASSERT_TRUE((*connection)->send(request)) << "still open after 3 s idle";
  EXPECT_TRUE((*connection)->readUntil(got, "\"body_bytes\":0}", absl::Seconds(5))) << got;
  // A dribbled next request is cut about 2 s after its first byte.
  got.clear();
  const absl::Time first_byte = absl::Now();
  ASSERT_TRUE((*connection)->send("GET /public/idle HTTP/1.1\r\n"));
  const RawConnection::Received r = (*connection)->readUntilClose(absl::Seconds(6));
  EXPECT_TRUE(r.closed);
  EXPECT_EQ(statusOf(r.data), 408) << r.data;
  EXPECT_GE(absl::Now() - first_byte, absl::Milliseconds(1500));
  EXPECT_LT(absl::Now() - first_byte, absl::Seconds(4));
}

// An idle connection that never sends anything is closed without an answer.
TEST_F(HttpSmugglingTest, SilentConnectionIsClosedWithoutAnswer) {
  auto connection = RawConnection::connect(port());
  ASSERT_TRUE(connection.ok());
  const RawConnection::Received r = (*connection)->readUntilClose(absl::Seconds(5));
  EXPECT_TRUE(r.closed);
  EXPECT_EQ(r.data, "");
  EXPECT_LT(r.elapsed, absl::Seconds(4)) << "the first request's head deadline runs from accept";
}

}  // namespace
}  // namespace portico::testing
