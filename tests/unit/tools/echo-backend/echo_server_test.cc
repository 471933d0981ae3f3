// The echo backend's x-echo-response-header knob (other knobs are exercised by the tests that
// use them: retries, health checks, resilience).

#include "tools/echo-backend/echo_server.h"

#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>

#include <thread>

#include "common/http/http_client.h"

namespace portico::tools::echo {
namespace {

class EchoServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = EchoServer::create(io_, EchoServer::Options{});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    server_->start();
    thread_ = std::thread([this] { io_.run(); });
  }
  void TearDown() override {
    boost::asio::post(io_, [this] { server_->stop(); });
    guard_.reset();
    io_.stop();
    thread_.join();
  }

  http::ClientResponse get(http::HeaderList headers) {
    const http::ClientRequest request{"GET", "/x", "", std::move(headers)};
    auto response = http::fetch("127.0.0.1", server_->port(), request);
    EXPECT_TRUE(response.ok()) << response.status();
    return response.ok() ? *response : http::ClientResponse{};
  }

  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_{io_.get_executor()};
  std::unique_ptr<EchoServer> server_;
  std::thread thread_;
};

TEST_F(EchoServerTest, ResponseHeaderKnobAddsAndReplacesFields) {
  const http::ClientResponse response = get({{"x-echo-response-header", "Cache-Control: max-age=60, public"},
                                             {"x-echo-response-header", "Set-Cookie: a=1"},
                                             {"x-echo-response-header", "Set-Cookie: b=2"},
                                             {"x-echo-response-header", "Content-Type: text/plain"}});
  EXPECT_EQ(response.status, 200);
  ASSERT_NE(response.header("cache-control"), nullptr);
  EXPECT_EQ(*response.header("cache-control"), "max-age=60, public");
  int cookies = 0;
  int content_types = 0;
  for (const auto& [name, value] : response.headers) {
    cookies += name == "set-cookie";
    content_types += name == "content-type";
  }
  EXPECT_EQ(cookies, 2);
  EXPECT_EQ(content_types, 1) << "the echo's own Content-Type is replaced";
  EXPECT_EQ(*response.header("content-type"), "text/plain");
}

TEST_F(EchoServerTest, MalformedResponseHeaderKnobIs400) {
  EXPECT_EQ(get({{"x-echo-response-header", "no colon here"}}).status, 400);
  EXPECT_EQ(get({{"x-echo-response-header", "bad name: v"}}).status, 400);
  EXPECT_EQ(get({{"x-echo-response-header", ": v"}}).status, 400);
}

}  // namespace
}  // namespace portico::tools::echo
