// Graceful drain on SIGTERM, end to end: the proxy stops accepting and reports not ready, closes
// connections that wait for a request, lets a request in flight finish (its response says
// "Connection: close"), then exits 0; a request longer than --drain_timeout is cut at the
// deadline and the proxy still exits. Each test starts its own proxy (the test ends it).

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <future>
#include <iostream>
#include <memory>
#include <string>
#include <thread>

#include "common/http/http_client.h"
#include "common/strings.h"
#include "tests/support/control_plane_process.h"
#include "tests/support/proxy_process.h"
#include "tests/support/test_env.h"

namespace portico::testing {
namespace {

// A raw keep-alive client connection, to see the proxy close it (EOF) without sending anything.
class RawConnection {
 public:
  explicit RawConnection(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  }
  ~RawConnection() { ::close(fd_); }
  bool connected() const { return connected_; }

  // Sends one GET and reads until the whole response (head + Content-Length body) arrived.
  std::string roundTrip(const std::string& target) {
    const std::string request = cat("GET ", target, " HTTP/1.1\r\nHost: drain.test\r\n\r\n");
    if (::send(fd_, request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size())) return "";
    std::string response;
    while (true) {
      const size_t head_end = response.find("\r\n\r\n");
      if (head_end != std::string::npos) {
        const size_t length_at = response.find("content-length: ");
        const size_t length = length_at == std::string::npos ? 0 : std::stoul(response.substr(length_at + 16));
        if (response.size() >= head_end + 4 + length) return response;
      }
      char chunk[4096];
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 5000) <= 0) return "";
      const ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
      if (n <= 0) return "";
      response.append(chunk, static_cast<size_t>(n));
    }
  }

  // True when the peer closes the connection within `timeout_ms` (recv returns 0 or an error).
  bool closedByPeer(int timeout_ms) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) <= 0) return false;
    char byte;
    return ::recv(fd_, &byte, 1, 0) <= 0;
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
};

class DrainTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    listener_port_ = pickFreePort();
    ControlPlaneProcess::Options options;
    options.config_yaml = cat("version: 1\nlisteners:\n  - { name: public, address: 127.0.0.1, port: ",
                              listener_port_, " }\nroutes:\n  - { name: echo, match: { path_prefix: /echo }, service: echo }\n");
    auto cp = ControlPlaneProcess::start(options);
    ASSERT_TRUE(cp.ok()) << cp.status();
    cp_ = std::move(*cp);
    auto backend = EchoBackend::start({"e1", cat("127.0.0.1:", cp_->adminPort()), "echo", 10});
    ASSERT_TRUE(backend.ok()) << backend.status();
    backend_ = std::move(*backend);
  }
  static void TearDownTestSuite() {
    if (backend_) backend_->stop();
    if (cp_) cp_->stop();
    backend_.reset();
    cp_.reset();
  }

  void TearDown() override {
    if (HasFailure() && proxy_) std::cerr << "--- portico-proxy log:\n" << proxy_->process().logTail(6000) << "\n";
    if (proxy_) proxy_->stop();
  }

  void startProxy(const std::string& drain_timeout) {
    ProxyProcess::Options options;
    options.xds_address = cp_->xdsAddress();
    options.extra_args = {cat("--drain_timeout=", drain_timeout)};
    auto proxy = ProxyProcess::start(options);
    ASSERT_TRUE(proxy.ok()) << proxy.status();
    proxy_ = std::move(*proxy);
    ASSERT_TRUE(waitUntil([&] { return get("/echo/up").status == 200; }, absl::Seconds(20)));
  }

  static http::ClientResponse get(const std::string& target, http::HeaderList headers = {},
                                  absl::Duration timeout = absl::Seconds(5)) {
    http::ClientRequest request;
    request.target = target;
    request.headers = std::move(headers);
    auto response = http::fetch("127.0.0.1", listener_port_, request, timeout);
    return response.ok() ? *response : http::ClientResponse{};
  }

  // A request that the backend answers after `delay_ms`, on its own thread.
  static std::future<http::ClientResponse> slowRequest(int delay_ms) {
    return std::async(std::launch::async, [delay_ms] {
      return get("/echo/slow", {{"x-echo-delay-ms", std::to_string(delay_ms)}}, absl::Seconds(30));
    });
  }

  // Waits until the proxy is in the middle of `count` connections (its gauge), bounded.
  bool activeConnections(int count) {
    return waitUntil(
        [&] {
          auto metrics = proxy_->admin("/metrics");
          return metrics.ok() &&
                 metrics->body.find(cat("portico_proxy_downstream_connections_active ", count, "\n")) !=
                     std::string::npos;
        },
        absl::Seconds(5));
  }

  bool exited(int& status) {
    if (!waitUntil([&] { return !proxy_->process().running(); }, absl::Seconds(15))) return false;
    status = proxy_->process().stop();  // already reaped: returns its status
    return true;
  }

  static inline uint16_t listener_port_ = 0;
  static inline std::unique_ptr<ControlPlaneProcess> cp_;
  static inline std::unique_ptr<EchoBackend> backend_;
  std::unique_ptr<ProxyProcess> proxy_;
};

TEST_F(DrainTest, FinishesRequestsInFlightClosesIdleConnectionsAndExits) {
  startProxy("20s");
  RawConnection idle(listener_port_);
  ASSERT_TRUE(idle.connected());
  ASSERT_NE(idle.roundTrip("/echo/idle").find("HTTP/1.1 200"), std::string::npos);
  auto in_flight = slowRequest(1500);
  ASSERT_TRUE(activeConnections(2));  // the idle one and the slow one
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // let the slow request be read

  proxy_->process().signal(SIGTERM);

  // Not ready any more, and no new connection is accepted.
  EXPECT_TRUE(waitUntil([&] {
    auto ready = proxy_->admin("/ready");
    return !ready.ok() || ready->status == 503;
  }, absl::Seconds(5)));
  EXPECT_TRUE(waitUntil([&] { return !http::HttpConnection::connect("127.0.0.1", listener_port_, absl::Milliseconds(500)).ok(); },
                        absl::Seconds(5)));
  // The idle connection is closed by the proxy.
  EXPECT_TRUE(idle.closedByPeer(5000));

  // The request in flight completes, and tells the client not to reuse the connection.
  http::ClientResponse finished = in_flight.get();
  EXPECT_EQ(finished.status, 200);
  ASSERT_NE(finished.header("connection"), nullptr);
  EXPECT_EQ(*finished.header("connection"), "close");

  int status = -1;
  ASSERT_TRUE(exited(status));
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
  EXPECT_NE(proxy_->process().logTail().find("drained"), std::string::npos);
}

TEST_F(DrainTest, DeadlineCutsRequestsThatOutlastIt) {
  startProxy("300ms");
  auto in_flight = slowRequest(20000);
  ASSERT_TRUE(activeConnections(1));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));

  proxy_->process().signal(SIGTERM);

  int status = -1;
  ASSERT_TRUE(exited(status));  // long before the 20 s request would have finished
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
  EXPECT_EQ(in_flight.get().status, 0);  // cut: no response
  EXPECT_NE(proxy_->process().logTail().find("1 connections cut at the drain deadline"), std::string::npos);
}

TEST_F(DrainTest, SecondSignalExitsWithoutWaiting) {
  startProxy("60s");
  auto in_flight = slowRequest(20000);
  ASSERT_TRUE(activeConnections(1));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));

  proxy_->process().signal(SIGTERM);
  ASSERT_TRUE(waitUntil([&] {
    auto ready = proxy_->admin("/ready");
    return ready.ok() && ready->status == 503;
  }, absl::Seconds(5)));
  proxy_->process().signal(SIGINT);

  int status = -1;
  ASSERT_TRUE(exited(status));
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
  EXPECT_EQ(in_flight.get().status, 0);
  EXPECT_NE(proxy_->process().logTail().find("second signal"), std::string::npos);
}

}  // namespace
}  // namespace portico::testing
