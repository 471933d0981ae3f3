// End to end: what portico-proxy makes of the responses its upstreams send, judged only by what
// the client receives. The upstream is a ScriptedHttpServer answering with exact bytes chosen by
// the request path (well-formed but unusual framings, hop-by-hop and gateway-managed headers,
// malformed heads and bodies, a cut-off body, large bodies); the client is a raw TCP connection,
// so the exact response bytes are seen and follow-up requests can reuse the same connection.
//
// The rules (docs/resilience.md, docs/http-hardening.md, RFC 9110/9112):
// - every body reaches the client re-framed with an exact Content-Length (de-chunked, trailers
//   dropped; close-delimited bodies too), as HTTP/1.1, on a connection that stays usable;
// - interim 1xx answers are not passed on; 204 and HEAD answers carry no body;
// - hop-by-hop headers (and those Connection names) stay on the upstream hop; the gateway's
//   request id and Via are its own;
// - a response the proxy cannot frame safely is 502 bad_upstream_response; a connection closed
//   mid-body is 502 upstream_reset;
// - a keep-alive upstream connection is reused.
//
// One proxy worker, so upstream connection reuse is observable exactly.

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "common/strings.h"
#include "tests/support/echo_reply.h"
#include "tests/support/gateway_suite.h"
#include "tests/support/raw_connection.h"
#include "tests/support/scripted_http_server.h"

namespace portico::testing {
namespace {

constexpr absl::Duration kReadTimeout = absl::Seconds(10);  // > the route's 5 s timeout

// ---------------------------------------------------------------------------------------------
// The upstream's script.

// A literal with embedded NULs, whole.
template <size_t N>
std::string bytes(const char (&literal)[N]) {
  return std::string(literal, N - 1);
}

// 1 MiB of varied bytes (every value 0..250), so a lost, repeated or reordered block shows.
const std::string& bigBody() {
  static const std::string body = [] {
    std::string out(1 << 20, '\0');
    for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<char>((i * 7 + i / 4096) % 251);
    return out;
  }();
  return body;
}

std::string bigChunked() {
  std::string out = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  const std::string& body = bigBody();
  for (size_t at = 0; at < body.size(); at += 4096) {
    out += cat("1000\r\n", std::string_view(body).substr(at, 4096), "\r\n");
  }
  return out + "0\r\n\r\n";
}

ScriptedHttpServer::Answer raw(std::string wire, bool close_after = false) {
  ScriptedHttpServer::Answer answer;
  answer.raw = std::move(wire);
  answer.close_after = close_after;
  return answer;
}

// A malformed answer, sent whole, then the connection closed (what a broken server does; a
// decoder that waits for more instead of refusing sees EOF, not a valid response).
ScriptedHttpServer::Answer broken(std::string wire) { return raw(std::move(wire), /*close_after=*/true); }

ScriptedHttpServer::Answer script(const ScriptedHttpServer::Request& request) {
  const std::string target(request.target());
  if (target == "/up/plain") return {scriptedResponse(200, "ok")};
  // a. Content-Length with extra headers, two Set-Cookie among them.
  if (target == "/up/a/headers") {
    return raw(
        "HTTP/1.1 200 OK\r\nContent-Length: 11\r\nX-Custom: 1\r\nSet-Cookie: a=1; Path=/\r\n"
        "Set-Cookie: b=2; Path=/\r\n\r\nhello world");
  }
  // b. Chunked, a chunk extension, a trailer field.
  if (target == "/up/b/chunked") {
    return raw(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\n"
        "X-Trailer: t\r\n\r\n");
  }
  // c. Close-delimited: no length, the end of the body is the end of the connection.
  if (target == "/up/c/close-delimited") {
    return raw("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\nread until the close",
               /*close_after=*/true);
  }
  // d. An HTTP/1.0 server (no keep-alive: it closes after its answer).
  if (target == "/up/d/http10") return raw("HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\nhello", true);
  // e. An interim 100 before the final answer.
  if (target == "/up/e/continue") {
    return raw("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfinal");
  }
  // f. 204 with a stray Content-Length and, correctly, no body bytes; the connection stays open.
  if (target == "/up/f/no-content") return raw("HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n");
  // g. The answer to HEAD: the GET body's length, no body.
  if (target == "/up/g/head") return raw("HTTP/1.1 200 OK\r\nContent-Length: 42\r\n\r\n");
  // h. Hop-by-hop headers, one of them named only by Connection.
  if (target == "/up/h/hop") {
    return raw(
        "HTTP/1.1 200 OK\r\nConnection: close, X-Hop\r\nX-Hop: 1\r\nKeep-Alive: timeout=5\r\n"
        "Proxy-Connection: x\r\nUpgrade: foo\r\nX-Custom: 1\r\nContent-Length: 2\r\n\r\nok",
        true);
  }
  // i. The upstream's own request id.
  if (target == "/up/i/request-id") {
    return raw("HTTP/1.1 200 OK\r\nX-Request-Id: made-by-the-upstream\r\nContent-Length: 2\r\n\r\nok");
  }
  // j. An upstream that is itself behind a proxy.
  if (target == "/up/j/via") return raw("HTTP/1.1 200 OK\r\nVia: 1.0 upstream-proxy\r\nContent-Length: 2\r\n\r\nok");
  // k. Malformed.
  if (target == "/up/k/status-digits") return broken("HTTP/1.1 2x0 OK\r\nContent-Length: 2\r\n\r\nok");
  if (target == "/up/k/status-600") return broken("HTTP/1.1 600 Odd\r\nContent-Length: 2\r\n\r\nok");
  if (target == "/up/k/obs-fold") return broken("HTTP/1.1 200 OK\r\nX-A: 1\r\n  continued\r\nContent-Length: 2\r\n\r\nok");
  if (target == "/up/k/space-before-colon") return broken("HTTP/1.1 200 OK\r\nX-A : 1\r\nContent-Length: 2\r\n\r\nok");
  if (target == "/up/k/length-and-chunked") {
    return broken("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n");
  }
  if (target == "/up/k/two-lengths") {
    return broken("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!");
  }
  // A coding other than chunked: the body is close-delimited (RFC 9112 §6.3), sent whole.
  if (target == "/up/k/gzip") {
    return broken(bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n\x1f\x8b\x08\x00 not really gzip"));
  }
  if (target == "/up/k/chunk-size") {
    return broken("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n");
  }
  if (target == "/up/k/nul") return broken(bytes("HTTP/1.1 200 OK\r\nX-A: a\0b\r\nContent-Length: 2\r\n\r\nok"));
  // l. A head over 64 KiB.
  if (target == "/up/l/huge-head") {
    return broken(cat("HTTP/1.1 200 OK\r\nX-Big: ", std::string(70000, 'a'), "\r\nContent-Length: 2\r\n\r\nok"));
  }
  // m. Closed after 10 of 100 body bytes.
  if (target == "/up/m/cut") return broken("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789");
  // o. 1 MiB, by length and in 4 KiB chunks.
  if (target == "/up/o/length") return raw(cat("HTTP/1.1 200 OK\r\nContent-Length: ", bigBody().size(), "\r\n\r\n", bigBody()));
  if (target == "/up/o/chunked") return raw(bigChunked());
  // p. Bytes after a complete response, forming a whole forged response: a body after HEAD or
  // 204, and more bytes than Content-Length said.
  constexpr std::string_view kForged = "HTTP/1.1 299 Forged\r\nContent-Length: 6\r\n\r\nforged";
  if (target == "/up/p/head-with-body") return raw(cat("HTTP/1.1 200 OK\r\nContent-Length: 47\r\n\r\n", kForged));
  if (target == "/up/p/204-with-body") return raw(cat("HTTP/1.1 204 No Content\r\n\r\n", kForged));
  if (target == "/up/p/extra-after-body") return raw(cat("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc", kForged));
  // q. A keep-alive answer with the close right behind it (no "Connection: close"): the FIN
  // arrives with the response, the proxy pools a connection that is already closed.
  if (target == "/up/q/close-without-notice") return raw("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", true);
  return {scriptedResponse(404, "no script for this path")};
}

// n. A plain keep-alive upstream (its own server: its connection count is the test's alone).
ScriptedHttpServer::Answer keepAlive(const ScriptedHttpServer::Request&) { return {scriptedResponse(200, "n")}; }

std::string configYaml(uint16_t port, uint16_t upstream_port, uint16_t keepalive_port) {
  // Outlier detection off: the malformed cases answer 502 on purpose, and the only endpoint
  // must stay in balancing. Via on (off by default) for case j.
  return cat(R"yaml(version: 1
listeners:
  - { name: public, address: 127.0.0.1, port: )yaml", port, R"yaml(, http: { via: "1.1 portico" } }
services:
  - name: scripted
    timeout: 5s
    outlier_detection: { consecutive_5xx: 0, consecutive_gateway_failure: 0 }
    endpoints: [{ address: 127.0.0.1, port: )yaml", upstream_port, R"yaml( }]
  - name: keepalive
    timeout: 5s
    endpoints: [{ address: 127.0.0.1, port: )yaml", keepalive_port, R"yaml( }]
routes:
  - { name: scripted, match: { path_prefix: /up/ }, service: scripted }
  - { name: keepalive, match: { path_prefix: /keep }, service: keepalive }
  - { name: open, match: { path_prefix: /open }, service: echo }
)yaml");
}

// ---------------------------------------------------------------------------------------------
// The client side: exact bytes, several requests per connection.

struct Reply {
  int status = 0;
  std::string status_line;
  std::vector<std::pair<std::string, std::string>> fields;  // lower-case names, in order
  std::string body;

  std::vector<std::string> values(std::string_view name) const {
    std::vector<std::string> out;
    for (const auto& [field, value] : fields) {
      if (field == name) out.push_back(value);
    }
    return out;
  }
  // The first value; "<absent>" when there is none.
  std::string value(std::string_view name) const {
    const std::vector<std::string> all = values(name);
    return all.empty() ? "<absent>" : all.front();
  }
  bool has(std::string_view name) const { return !values(name).empty(); }
  std::string head() const {
    std::string out = status_line + "\n";
    for (const auto& [field, value] : fields) out += cat(field, ": ", value, "\n");
    return out;
  }
};

std::string request(std::string_view target, std::string_view method = "GET") {
  return cat(method, " ", target, " HTTP/1.1\r\nHost: portico.test\r\n\r\n");
}

class Client {
 public:
  static absl::StatusOr<std::unique_ptr<Client>> open(uint16_t port) {
    auto connection = RawConnection::connect(port);
    if (!connection.ok()) return connection.status();
    return std::unique_ptr<Client>(new Client(std::move(*connection)));
  }

  // Sends `wire` (one request) and reads one whole response. `head`: the request was HEAD.
  absl::StatusOr<Reply> exchange(const std::string& wire, bool head = false) {
    if (!connection_->send(wire)) return absl::UnavailableError("the proxy closed the connection");
    return readResponse(head);
  }

 private:
  explicit Client(std::unique_ptr<RawConnection> connection) : connection_(std::move(connection)) {}

  absl::StatusOr<Reply> readResponse(bool head) {
    if (!connection_->readUntil(data_, "\r\n\r\n", kReadTimeout)) {
      return absl::DeadlineExceededError(cat("no whole response head; received: \"", data_, "\""));
    }
    const size_t head_end = data_.find("\r\n\r\n");
    const std::string head_text = data_.substr(0, head_end);
    data_.erase(0, head_end + 4);
    Reply reply;
    std::vector<std::string> lines = absl::StrSplit(head_text, "\r\n");
    reply.status_line = lines.front();
    reply.status = statusOf(reply.status_line);
    for (size_t i = 1; i < lines.size(); ++i) {
      const size_t colon = lines[i].find(':');
      if (colon == std::string::npos) return absl::DataLossError(cat("a field line without colon: ", lines[i]));
      reply.fields.emplace_back(absl::AsciiStrToLower(lines[i].substr(0, colon)),
                                std::string(absl::StripAsciiWhitespace(lines[i].substr(colon + 1))));
    }
    const bool bodiless = head || reply.status / 100 == 1 || reply.status == 204 || reply.status == 304;
    if (bodiless) return reply;
    if (reply.has("transfer-encoding")) return readChunked(std::move(reply));
    if (reply.has("content-length")) {
      const size_t length = std::stoull(reply.value("content-length"));
      if (!connection_->readAtLeast(data_, length, kReadTimeout)) {
        return absl::DataLossError(cat("body shorter than its Content-Length ", length, ": ", data_.size(), " bytes"));
      }
      reply.body = data_.substr(0, length);
      data_.erase(0, length);
      return reply;
    }
    RawConnection::Received rest = connection_->readUntilClose(kReadTimeout);
    reply.body = data_ + rest.data;
    data_.clear();
    return reply;
  }

  // A chunked body from the proxy (it should never send one; decoded so the test can say so).
  absl::StatusOr<Reply> readChunked(Reply reply) {
    for (;;) {
      if (!connection_->readUntil(data_, "\r\n", kReadTimeout)) return absl::DataLossError("cut chunk size line");
      const size_t line_end = data_.find("\r\n");
      const size_t size = std::stoull(data_.substr(0, line_end), nullptr, 16);
      data_.erase(0, line_end + 2);
      if (size == 0) break;
      if (!connection_->readAtLeast(data_, size + 2, kReadTimeout)) return absl::DataLossError("cut chunk");
      reply.body += data_.substr(0, size);
      data_.erase(0, size + 2);
    }
    for (;;) {  // trailer fields, up to the empty line
      if (!connection_->readUntil(data_, "\r\n", kReadTimeout)) return absl::DataLossError("cut trailers");
      const size_t line_end = data_.find("\r\n");
      const std::string line = data_.substr(0, line_end);
      data_.erase(0, line_end + 2);
      if (line.empty()) return reply;
      const size_t colon = line.find(':');
      reply.fields.emplace_back(absl::AsciiStrToLower(line.substr(0, colon)),
                                std::string(absl::StripAsciiWhitespace(line.substr(colon + 1))));
    }
  }

  std::unique_ptr<RawConnection> connection_;
  std::string data_;  // received and not consumed yet
};

// ---------------------------------------------------------------------------------------------

class UpstreamResponseTest : public GatewaySuite<UpstreamResponseTest> {
 protected:
  static void SetUpTestSuite() {
    auto upstream = ScriptedHttpServer::start(script);
    auto keepalive = ScriptedHttpServer::start(keepAlive);
    if (!upstream.ok() || !keepalive.ok()) {
      setup_error_ = cat(upstream.status().ToString(), " / ", keepalive.status().ToString());
      return;
    }
    upstream_ = std::move(*upstream);
    keepalive_ = std::move(*keepalive);
    startGateway({.proxy = {.workers = 1}}, [](uint16_t port) {
      return configYaml(port, upstream_->port(), keepalive_->port());
    });
  }

  static void TearDownTestSuite() {
    GatewaySuite::TearDownTestSuite();
    if (upstream_) upstream_->stop();
    if (keepalive_) keepalive_->stop();
    upstream_.reset();
    keepalive_.reset();
  }

  static absl::StatusOr<std::unique_ptr<Client>> connect() { return Client::open(gateway().port()); }

 public:
  static uint16_t gatewayPort() { return gateway().port(); }

 protected:

  // One GET on a fresh connection.
  static absl::StatusOr<Reply> get(std::string_view target) {
    auto client = connect();
    if (!client.ok()) return client.status();
    return (*client)->exchange(request(target));
  }

  // The same connection answers another request: the previous response left nothing behind.
  static void expectConnectionStillWorks(Client& client) {
    absl::StatusOr<Reply> next = client.exchange(request("/up/plain"));
    ASSERT_TRUE(next.ok()) << next.status();
    EXPECT_EQ(next->status, 200) << next->head();
    EXPECT_EQ(next->body, "ok");
  }

  static void expectBadUpstreamResponse(std::string_view target) {
    absl::StatusOr<Reply> reply = get(target);
    ASSERT_TRUE(reply.ok()) << reply.status();
    EXPECT_EQ(reply->status, 502) << reply->head() << reply->body;
    EXPECT_EQ(localErrorCode(reply->body), "bad_upstream_response") << reply->body;
  }

  static inline std::unique_ptr<ScriptedHttpServer> upstream_;
  static inline std::unique_ptr<ScriptedHttpServer> keepalive_;
};

// a.
TEST_F(UpstreamResponseTest, ContentLengthResponsePassesItsHeadersAndBody) {
  absl::StatusOr<Reply> reply = get("/up/a/headers");
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->value("x-custom"), "1");
  EXPECT_EQ(reply->values("set-cookie"), (std::vector<std::string>{"a=1; Path=/", "b=2; Path=/"}))
      << "both lines, in order, not joined:\n" << reply->head();
  EXPECT_EQ(reply->values("content-length"), std::vector<std::string>{"11"});
  EXPECT_EQ(reply->body, "hello world");
}

// b.
TEST_F(UpstreamResponseTest, ChunkedResponseIsDechunkedAndItsTrailersDropped) {
  absl::StatusOr<Reply> reply = get("/up/b/chunked");
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->body, "hello world");
  EXPECT_EQ(reply->values("content-length"), std::vector<std::string>{"11"}) << reply->head();
  EXPECT_FALSE(reply->has("transfer-encoding")) << reply->head();
  EXPECT_FALSE(reply->has("x-trailer")) << "trailers are dropped:\n" << reply->head();
}

// c.
TEST_F(UpstreamResponseTest, CloseDelimitedResponseGetsALengthOnAKeptClientConnection) {
  auto client = connect();
  ASSERT_TRUE(client.ok()) << client.status();
  absl::StatusOr<Reply> reply = (*client)->exchange(request("/up/c/close-delimited"));
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->body, "read until the close");
  EXPECT_EQ(reply->values("content-length"), std::vector<std::string>{"20"}) << reply->head();
  EXPECT_FALSE(reply->has("transfer-encoding")) << reply->head();
  expectConnectionStillWorks(**client);
}

// d.
TEST_F(UpstreamResponseTest, Http10ResponseReachesTheClientAsHttp11OnAKeptConnection) {
  auto client = connect();
  ASSERT_TRUE(client.ok()) << client.status();
  absl::StatusOr<Reply> reply = (*client)->exchange(request("/up/d/http10"));
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->status, 200);
  EXPECT_TRUE(absl::StartsWith(reply->status_line, "HTTP/1.1 200")) << reply->status_line;
  EXPECT_EQ(reply->body, "hello");
  EXPECT_NE(absl::AsciiStrToLower(reply->value("connection")), "close") << reply->head();
  expectConnectionStillWorks(**client);
}

// e.
TEST_F(UpstreamResponseTest, InterimContinueIsNotPassedOn) {
  auto client = connect();
  ASSERT_TRUE(client.ok()) << client.status();
  absl::StatusOr<Reply> reply = (*client)->exchange(request("/up/e/continue"));
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->status, 200) << "the first response the client sees is the final one: " << reply->head();
  EXPECT_EQ(reply->body, "final");
  expectConnectionStillWorks(**client);
}

// f.
TEST_F(UpstreamResponseTest, NoContentIgnoresAStrayContentLength) {
  auto client = connect();
  ASSERT_TRUE(client.ok()) << client.status();
  absl::StatusOr<Reply> reply = (*client)->exchange(request("/up/f/no-content"));
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->status, 204);
  EXPECT_FALSE(reply->has("content-length")) << reply->head();
  EXPECT_FALSE(reply->has("transfer-encoding")) << reply->head();
  // A body byte after the 204 would be read as the start of the next response.
  expectConnectionStillWorks(**client);
}

// g.
// p. A connection with bytes left after a complete response is never pooled: the next request
// (another client's, on the same upstream connection) would be answered with them.
void expectNextClientGetsItsOwnAnswer(std::string_view target, std::string_view method) {
  {
    auto client = Client::open(UpstreamResponseTest::gatewayPort());
    ASSERT_TRUE(client.ok()) << client.status();
    absl::StatusOr<Reply> reply = (*client)->exchange(request(target, method), method == "HEAD");
    ASSERT_TRUE(reply.ok()) << reply.status();
  }
  auto client = Client::open(UpstreamResponseTest::gatewayPort());
  ASSERT_TRUE(client.ok()) << client.status();
  absl::StatusOr<Reply> next = (*client)->exchange(request("/up/plain"));
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(next->status, 200) << "answered with the bytes left by " << target << ":\n" << next->head() << next->body;
  EXPECT_EQ(next->body, "ok");
}

TEST_F(UpstreamResponseTest, BodyAfterHeadAnswerIsNotServedToTheNextRequest) {
  expectNextClientGetsItsOwnAnswer("/up/p/head-with-body", "HEAD");
}

TEST_F(UpstreamResponseTest, BodyAfter204IsNotServedToTheNextRequest) {
  expectNextClientGetsItsOwnAnswer("/up/p/204-with-body", "GET");
}

TEST_F(UpstreamResponseTest, BytesBeyondContentLengthAreNotServedToTheNextRequest) {
  expectNextClientGetsItsOwnAnswer("/up/p/extra-after-body", "GET");
}

TEST_F(UpstreamResponseTest, HeadAnswerKeepsItsLengthAndHasNoBody) {
  auto client = connect();
  ASSERT_TRUE(client.ok()) << client.status();
  absl::StatusOr<Reply> reply = (*client)->exchange(request("/up/g/head", "HEAD"), /*head=*/true);
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->values("content-length"), std::vector<std::string>{"42"}) << reply->head();
  expectConnectionStillWorks(**client);
}

// h.
TEST_F(UpstreamResponseTest, HopByHopHeadersStayOnTheUpstreamHop) {
  absl::StatusOr<Reply> reply = get("/up/h/hop");
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->body, "ok");
  for (const char* name : {"x-hop", "keep-alive", "proxy-connection", "upgrade"}) {
    EXPECT_FALSE(reply->has(name)) << name << " reached the client:\n" << reply->head();
  }
  EXPECT_EQ(reply->value("x-custom"), "1") << "end-to-end headers pass";
}

// i. The default request id header is x-request-id, echoed on responses by default
// (common/xds/hcm_extensions.h, docs/config.md).
TEST_F(UpstreamResponseTest, TheClientGetsOneRequestIdTheOneSentUpstream) {
  absl::StatusOr<Reply> reply = get("/up/i/request-id");
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->status, 200);
  std::string sent_upstream = "<not found>";
  for (const ScriptedHttpServer::Request& seen : upstream_->requests()) {
    if (seen.target() == "/up/i/request-id") sent_upstream = std::string(seen["x-request-id"]);
  }
  ASSERT_NE(sent_upstream, "<not found>") << "the upstream did not see the request";
  ASSERT_NE(sent_upstream, "") << "the gateway sent no request id upstream";
  EXPECT_EQ(reply->values("x-request-id"), std::vector<std::string>{sent_upstream}) << reply->head();
}

// j. Via is configured on the listener ("1.1 portico"; off by default).
TEST_F(UpstreamResponseTest, ViaListsTheUpstreamsEntryThenTheGateways) {
  absl::StatusOr<Reply> reply = get("/up/j/via");
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->status, 200);
  // Two lines or one comma-joined line are the same list (RFC 9110 §5.3).
  std::vector<std::string> entries;
  for (const std::string& line : reply->values("via")) {
    for (const std::string& entry : std::vector<std::string>(absl::StrSplit(line, ','))) {
      entries.emplace_back(absl::StripAsciiWhitespace(entry));
    }
  }
  EXPECT_EQ(entries, (std::vector<std::string>{"1.0 upstream-proxy", "1.1 portico"})) << reply->head();
}

// k. Malformed responses.
TEST_F(UpstreamResponseTest, BadStatusDigitsAreABadResponse) { expectBadUpstreamResponse("/up/k/status-digits"); }
TEST_F(UpstreamResponseTest, StatusAbove599IsABadResponse) { expectBadUpstreamResponse("/up/k/status-600"); }
TEST_F(UpstreamResponseTest, ObsFoldIsABadResponse) { expectBadUpstreamResponse("/up/k/obs-fold"); }
TEST_F(UpstreamResponseTest, SpaceBeforeColonIsABadResponse) { expectBadUpstreamResponse("/up/k/space-before-colon"); }
TEST_F(UpstreamResponseTest, ContentLengthWithChunkedIsABadResponse) {
  expectBadUpstreamResponse("/up/k/length-and-chunked");
}
TEST_F(UpstreamResponseTest, TwoDifferentContentLengthsAreABadResponse) { expectBadUpstreamResponse("/up/k/two-lengths"); }
// The proxy re-frames bodies, so it cannot pass a transfer coding on: refused.
TEST_F(UpstreamResponseTest, TransferCodingOtherThanChunkedIsABadResponse) { expectBadUpstreamResponse("/up/k/gzip"); }
TEST_F(UpstreamResponseTest, InvalidChunkSizeIsABadResponse) { expectBadUpstreamResponse("/up/k/chunk-size"); }
TEST_F(UpstreamResponseTest, NulInAHeaderValueIsABadResponse) { expectBadUpstreamResponse("/up/k/nul"); }

// l.
TEST_F(UpstreamResponseTest, ResponseHeadOver64KiBIsABadResponse) { expectBadUpstreamResponse("/up/l/huge-head"); }

// m.
TEST_F(UpstreamResponseTest, CloseMidBodyIsAnUpstreamReset) {
  absl::StatusOr<Reply> reply = get("/up/m/cut");
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->status, 502) << reply->head() << reply->body;
  EXPECT_EQ(localErrorCode(reply->body), "upstream_reset") << reply->body;
}

// n.
TEST_F(UpstreamResponseTest, KeepAliveUpstreamConnectionIsReused) {
  auto client = connect();
  ASSERT_TRUE(client.ok()) << client.status();
  for (int i = 0; i < 3; ++i) {
    absl::StatusOr<Reply> reply = (*client)->exchange(request(cat("/keep/", i)));
    ASSERT_TRUE(reply.ok()) << reply.status();
    EXPECT_EQ(reply->status, 200) << reply->head();
    EXPECT_EQ(reply->body, "n");
  }
  EXPECT_EQ(keepalive_->requestCount(), 3u);
  EXPECT_EQ(keepalive_->connectionCount(), 1u) << "one pooled connection for three sequential requests";
}

// q. The next request takes the closed connection from the pool and fails before any response
// byte (the close is read as the end of input, or writing draws a reset), and the request goes
// out again on a fresh connection. Repeated: whether the FIN lands before or after the proxy's
// last read of the response is a race, and a read after a short one waits for epoll unless the
// close was reported (net/read_readiness.h).
TEST_F(UpstreamResponseTest, ACloseRightBehindAKeepAliveAnswerIsNoFailureForTheNextRequest) {
  auto client = connect();
  ASSERT_TRUE(client.ok()) << client.status();
  for (int i = 0; i < 10; ++i) {
    absl::StatusOr<Reply> reply = (*client)->exchange(request("/up/q/close-without-notice"));
    ASSERT_TRUE(reply.ok()) << reply.status();
    EXPECT_EQ(reply->status, 200) << reply->head() << reply->body;
    absl::StatusOr<Reply> next = (*client)->exchange(request("/up/plain"));
    ASSERT_TRUE(next.ok()) << next.status();
    EXPECT_EQ(next->status, 200) << "round " << i << ": " << next->head() << next->body;
    EXPECT_EQ(next->body, "ok");
  }
}

// o.
TEST_F(UpstreamResponseTest, OneMebibyteBodyWithContentLengthArrivesIntact) {
  absl::StatusOr<Reply> reply = get("/up/o/length");
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->values("content-length"), std::vector<std::string>{"1048576"}) << reply->head();
  EXPECT_EQ(reply->body.size(), bigBody().size());
  EXPECT_TRUE(reply->body == bigBody()) << "the body's bytes differ";
}

TEST_F(UpstreamResponseTest, OneMebibyteChunkedBodyArrivesIntact) {
  absl::StatusOr<Reply> reply = get("/up/o/chunked");
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->values("content-length"), std::vector<std::string>{"1048576"}) << reply->head();
  EXPECT_FALSE(reply->has("transfer-encoding")) << reply->head();
  EXPECT_EQ(reply->body.size(), bigBody().size());
  EXPECT_TRUE(reply->body == bigBody()) << "the body's bytes differ";
}

}  // namespace
}  // namespace portico::testing
