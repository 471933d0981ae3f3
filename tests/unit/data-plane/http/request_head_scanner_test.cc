#include "data-plane/http/request_head_scanner.h"

#include <gtest/gtest.h>

#include <string>

namespace portico::dp::http {
namespace {

using Status = RequestHeadScanner::Status;

constexpr HeadLimits kLimits{64, 256, 4};  // request line, head bytes, header count

// A literal with embedded NULs, whole.
template <size_t N>
std::string raw(const char (&literal)[N]) {
  return std::string(literal, N - 1);
}

// "ok:<head size>", "more", or "<status> <code>", scanning `data` in one call.
std::string scanAll(std::string_view data, const HeadLimits& limits = kLimits) {
  RequestHeadScanner scanner(limits);
  switch (scanner.scan(data)) {
    case Status::kComplete:
      return "ok:" + std::to_string(scanner.headSize());
    case Status::kNeedMore:
      return "more";
    case Status::kRefused:
      return std::to_string(scanner.refusal().status) + " " + std::string(scanner.refusal().code);
  }
  return "?";
}

// The same, one byte at a time (each call sees a longer prefix, as the session's buffer does).
std::string scanByteByByte(std::string_view data, const HeadLimits& limits = kLimits) {
  RequestHeadScanner scanner(limits);
  for (size_t n = 1; n <= data.size(); ++n) {
    const Status status = scanner.scan(data.substr(0, n));
    if (status == Status::kComplete) return "ok:" + std::to_string(scanner.headSize());
    if (status == Status::kRefused) {
      return std::to_string(scanner.refusal().status) + " " + std::string(scanner.refusal().code);
    }
  }
  return "more";
}

TEST(RequestHeadScannerTest, AcceptsAWellFormedHead) {
  const std::string head = "GET /a HTTP/1.1\r\nHost: x\r\nX-A: b\tc\xff\r\n\r\n";
  EXPECT_EQ(scanAll(head), "ok:" + std::to_string(head.size()));
  EXPECT_EQ(scanAll(head + "BODY"), "ok:" + std::to_string(head.size()));
  EXPECT_EQ(scanByteByByte(head), "ok:" + std::to_string(head.size()));
  EXPECT_EQ(scanAll("GET / HTTP/1.1\r\nHost: x\r\n"), "more");
}

TEST(RequestHeadScannerTest, RequestLineLimitIs414) {
  const std::string target(60, 'a');  // "GET /aaa… HTTP/1.1" is 74 bytes > 64
  EXPECT_EQ(scanAll("GET /" + target + " HTTP/1.1\r\nHost: x\r\n\r\n"), "414 uri_too_long");
  // Refused before the line ends: the proxy never buffers past the limit.
  EXPECT_EQ(scanAll("GET /" + target + " HTTP/1.1"), "414 uri_too_long");
  EXPECT_EQ(scanByteByByte("GET /" + target + " HTTP/1.1"), "414 uri_too_long");
  // Exactly at the limit is fine.
  const std::string exact = "GET /" + std::string(64 - 14, 'a') + " HTTP/1.1";
  ASSERT_EQ(exact.size(), 64u);
  EXPECT_EQ(scanAll(exact + "\r\nHost: x\r\n\r\n").substr(0, 3), "ok:");
}

TEST(RequestHeadScannerTest, HeaderCountAndSizeAre431) {
  EXPECT_EQ(scanAll("GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n").substr(0, 3), "ok:");
  EXPECT_EQ(scanAll("GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\nE: 5\r\n\r\n"),
            "431 too_many_headers");
  const std::string big = "GET / HTTP/1.1\r\nA: " + std::string(300, 'x') + "\r\n\r\n";
  EXPECT_EQ(scanAll(big), "431 request_headers_too_large");
  EXPECT_EQ(scanAll(big.substr(0, 260)), "431 request_headers_too_large") << "unfinished";
  EXPECT_EQ(scanByteByByte(big), "431 request_headers_too_large");
}

TEST(RequestHeadScannerTest, RefusesBareLineEndings) {
  EXPECT_EQ(scanAll("GET / HTTP/1.1\nHost: x\r\n\r\n"), "400 bad_line_ending");
  EXPECT_EQ(scanAll("GET / HTTP/1.1\r\nHost: x\n\r\n"), "400 bad_line_ending");
  EXPECT_EQ(scanAll("GET / HTTP/1.1\r\nHost: x\r\n\n"), "400 bad_line_ending");
  EXPECT_EQ(scanAll("GET / HTTP/1.1\r\nHost: x\ry: z\r\n\r\n"), "400 bad_header_value");
  EXPECT_EQ(scanAll("GET /\r HTTP/1.1\r\nHost: x\r\n\r\n"), "400 bad_request_line");
}

TEST(RequestHeadScannerTest, RefusesObsFoldAndBadNames) {
  EXPECT_EQ(scanAll("GET / HTTP/1.1\r\nX-A: a\r\n b\r\n\r\n"), "400 obsolete_line_folding");
  EXPECT_EQ(scanAll("GET / HTTP/1.1\r\nX-A: a\r\n\tb\r\n\r\n"), "400 obsolete_line_folding");
  EXPECT_EQ(scanAll("GET / HTTP/1.1\r\n Host: x\r\n\r\n"), "400 obsolete_line_folding");
  EXPECT_EQ(scanAll("GET / HTTP/1.1\r\nTransfer-Encoding : chunked\r\n\r\n"), "400 bad_header_name");
  EXPECT_EQ(scanAll("GET / HTTP/1.1\r\nTransfer-Encoding\t: chunked\r\n\r\n"), "400 bad_header_name");
  EXPECT_EQ(scanAll("GET / HTTP/1.1\r\n: x\r\n\r\n"), "400 bad_header_name");
  EXPECT_EQ(scanAll("GET / HTTP/1.1\r\nNoColon\r\n\r\n"), "400 bad_header_name");
  EXPECT_EQ(scanAll("GET / HTTP/1.1\r\nX(y): z\r\n\r\n"), "400 bad_header_name");
}

TEST(RequestHeadScannerTest, RefusesControlCharacters) {
  EXPECT_EQ(scanAll(raw("GET / HTTP/1.1\r\nX: a\0b\r\n\r\n")), "400 bad_header_value");
  EXPECT_EQ(scanAll("GET / HTTP/1.1\r\nX: a\x01\r\n\r\n"), "400 bad_header_value");
  EXPECT_EQ(scanAll("GET / HTTP/1.1\r\nX: a\x7f\r\n\r\n"), "400 bad_header_value");
  EXPECT_EQ(scanAll("GET / HTTP/1.1\r\nTransfer-Encoding:\x0b" "chunked\r\n\r\n"),
            "400 bad_header_value");
  EXPECT_EQ(scanAll(raw("GET /\0 HTTP/1.1\r\n\r\n")), "400 bad_request_line");
  EXPECT_EQ(scanAll("GET\t/ HTTP/1.1\r\n\r\n"), "400 bad_request_line");
  EXPECT_EQ(scanAll("\r\nGET / HTTP/1.1\r\n\r\n"), "400 bad_request_line");
}

}  // namespace
}  // namespace portico::dp::http
