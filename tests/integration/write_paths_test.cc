// The proxy's two ways of writing plain-TCP requests and responses, each judged end to end:
// a loop turn's writes sent with one io_uring_enter() (net/batched_send.h, the default) and one
// sendmsg per write (--io_uring_writes=false, and what a proxy does where io_uring is
// unavailable). Each path must carry bodies larger than a socket buffer both ways (the part a
// write leaves is finished by async_write), keep the connection usable afterwards, and say
// which path it is on in portico_proxy_io_uring_writes.

#include <gtest/gtest.h>
#include <liburing.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/strings.h"
#include "tests/support/gateway_suite.h"
#include "tests/support/raw_connection.h"
#include "tests/support/scripted_http_server.h"

namespace portico::testing {
namespace {

namespace bhttp = boost::beast::http;

constexpr size_t kBigBytes = 3 << 20;  // more than loopback's socket buffers take at once

// kBigBytes of varied bytes, so a lost, repeated or reordered block shows.
const std::string& bigBody() {
  static const std::string body = [] {
    std::string out(kBigBytes, '\0');
    for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<char>((i * 7 + i / 4096) % 251);
    return out;
  }();
  return body;
}

// The upstream: /big answers bigBody(); /count answers how many bytes the request body had and
// whether they were bigBody()'s; anything else answers its own path.
ScriptedHttpServer::Answer script(const ScriptedHttpServer::Request& request) {
  ScriptedHttpServer::Answer answer;
  answer.response.result(bhttp::status::ok);
  const std::string target(request.target());
  if (target == "/big") {
    answer.response.body() = bigBody();
  } else if (target == "/count") {
    answer.response.body() = cat(request.body().size(), request.body() == bigBody() ? " intact" : " changed");
  } else {
    answer.response.body() = target;
  }
  answer.response.prepare_payload();
  return answer;
}

std::string configYaml(uint16_t port, uint16_t upstream_port) {
  return cat(R"yaml(version: 1
listeners:
  - { name: public, address: 127.0.0.1, port: )yaml", port, R"yaml( }
services:
  - name: scripted
    timeout: 10s
    endpoints: [{ address: 127.0.0.1, port: )yaml", upstream_port, R"yaml( }]
routes:
  - { name: open, match: { path_prefix: /open }, service: echo }
  - { name: scripted, match: { path_prefix: / }, service: scripted }
)yaml");
}

// Whether this machine lets a process set up an io_uring (what the proxy's default needs).
bool ioUringAvailable() {
  io_uring ring;
  if (io_uring_queue_init(1, &ring, 0) != 0) return false;
  io_uring_queue_exit(&ring);
  return true;
}

struct Response {
  int status = 0;
  std::string body;
};

// Reads one response with a Content-Length from `connection`; what follows it stays in `data`.
absl::StatusOr<Response> readResponse(RawConnection& connection, std::string& data) {
  const absl::Duration timeout = absl::Seconds(10);
  if (!connection.readUntil(data, "\r\n\r\n", timeout)) return absl::DeadlineExceededError("no head");
  const size_t head_end = data.find("\r\n\r\n") + 4;
  std::string head = data.substr(0, head_end);
  std::transform(head.begin(), head.end(), head.begin(), [](unsigned char c) { return std::tolower(c); });
  constexpr std::string_view kLength = "\r\ncontent-length:";
  const size_t at = head.find(kLength);
  if (at == std::string::npos) return absl::InternalError(cat("no Content-Length in ", head));
  const size_t length = std::strtoul(head.c_str() + at + kLength.size(), nullptr, 10);
  if (!connection.readAtLeast(data, head_end + length, timeout)) {
    return absl::DeadlineExceededError(cat("body: ", data.size() - head_end, " of ", length, " bytes"));
  }
  Response response{statusOf(data), data.substr(head_end, length)};
  data.erase(0, head_end + length);
  return response;
}

std::string get(std::string_view path) { return cat("GET ", path, " HTTP/1.1\r\nHost: test\r\n\r\n"); }

template <typename IoUring>
class WritePathsTest : public GatewaySuite<WritePathsTest<IoUring>> {
 protected:
  using Suite = GatewaySuite<WritePathsTest<IoUring>>;

  static void SetUpTestSuite() {
    auto upstream = ScriptedHttpServer::start(script);
    if (!upstream.ok()) {
      Suite::setup_error_ = upstream.status().ToString();
      return;
    }
    upstream_ = std::move(*upstream);
    GatewayFixture::Options options{.proxy = {.workers = 1}};
    if (!IoUring::value) options.proxy.extra_args.push_back("--io_uring_writes=false");
    Suite::startGateway(options, [](uint16_t port) { return configYaml(port, upstream_->port()); });
  }

  static void TearDownTestSuite() {
    Suite::TearDownTestSuite();
    if (upstream_) upstream_->stop();
    upstream_.reset();
  }

  static std::unique_ptr<RawConnection> connect() {
    auto connection = RawConnection::connect(Suite::gateway().port());
    return connection.ok() ? std::move(*connection) : nullptr;
  }

  static inline std::unique_ptr<ScriptedHttpServer> upstream_;
};

using Paths = ::testing::Types<std::true_type, std::false_type>;
class PathName {
 public:
  template <typename T>
  static std::string GetName(int) {
    return T::value ? "IoUring" : "SendmsgEach";
  }
};
TYPED_TEST_SUITE(WritePathsTest, Paths, PathName);

TYPED_TEST(WritePathsTest, TheMetricNamesThePathInUse) {
  auto metrics = this->gateway().proxy().admin("/metrics");
  ASSERT_TRUE(metrics.ok()) << metrics.status();
  const bool expected = TypeParam::value && ioUringAvailable();
  EXPECT_NE(metrics->body.find(cat("\nportico_proxy_io_uring_writes ", expected ? 1 : 0, "\n")), std::string::npos)
      << metrics->body;
}

TYPED_TEST(WritePathsTest, AResponseLargerThanTheSocketBufferArrivesWholeAndTheConnectionGoesOn) {
  std::unique_ptr<RawConnection> connection = this->connect();
  ASSERT_NE(connection, nullptr);
  std::string data;
  ASSERT_TRUE(connection->send(get("/big")));
  absl::StatusOr<Response> big = readResponse(*connection, data);
  ASSERT_TRUE(big.ok()) << big.status();
  EXPECT_EQ(big->status, 200);
  EXPECT_EQ(big->body.size(), kBigBytes);
  EXPECT_TRUE(big->body == bigBody()) << "the body's bytes changed on the way";
  ASSERT_TRUE(connection->send(get("/after")));
  absl::StatusOr<Response> after = readResponse(*connection, data);
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(after->status, 200);
  EXPECT_EQ(after->body, "/after");
}

TYPED_TEST(WritePathsTest, ARequestBodyLargerThanTheSocketBufferReachesTheUpstreamWhole) {
  std::unique_ptr<RawConnection> connection = this->connect();
  ASSERT_NE(connection, nullptr);
  std::string data;
  ASSERT_TRUE(connection->send(cat("POST /count HTTP/1.1\r\nHost: test\r\nContent-Length: ", kBigBytes,
                                   "\r\n\r\n", bigBody())));
  absl::StatusOr<Response> reply = readResponse(*connection, data);
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->body, cat(kBigBytes, " intact"));
}

// Fifty requests one after the other on one connection: every answer is the right one, in order.
TYPED_TEST(WritePathsTest, KeptAliveRequestsAreAnsweredInOrder) {
  std::unique_ptr<RawConnection> connection = this->connect();
  ASSERT_NE(connection, nullptr);
  std::string data;
  for (int i = 0; i < 50; ++i) {
    const std::string path = cat("/n/", i);
    ASSERT_TRUE(connection->send(get(path))) << i;
    absl::StatusOr<Response> reply = readResponse(*connection, data);
    ASSERT_TRUE(reply.ok()) << i << ": " << reply.status();
    EXPECT_EQ(reply->body, path);
  }
}

}  // namespace
}  // namespace portico::testing
