// WebSocket upgrade passes through the proxy (issue 4, connections): the handshake reaches the
// upstream with the gateway's forwarding headers and without spoofed identity headers, the 101
// comes back, and then frames flow both ways unchanged (text, a 1 MiB binary message, the close
// handshake) — also across a config push while the tunnel is open. Other Upgrade tokens are
// not passed on: such a request is proxied as plain HTTP.
//
// The client is Boost.Beast's WebSocket client; the upstream is the echo backend's WebSocket
// echo (tools/echo-backend/websocket_echo.h): both speak real RFC 6455.

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json/parse.hpp>

#include <chrono>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "common/http/http_client.h"
#include "common/strings.h"
#include "tests/support/echo_gateway.h"
#include "tests/support/test_env.h"

namespace portico::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
namespace json = boost::json;

// A WebSocket client whose every operation is bounded: each runs the io_context for at most
// 10 s and fails the operation if it has not completed.
class WsClient {
 public:
  beast::error_code connect(uint16_t port, const std::string& target) {
    ws_.set_option(websocket::stream_base::decorator([](websocket::request_type& request) {
      request.set("x-portico-consumer", "spoofed");  // an identity header a client must not set
      request.set("x-user-id", "spoofed");
    }));
    ws_.read_message_max(8u << 20);
    beast::error_code result = asio::error::timed_out;
    beast::get_lowest_layer(ws_).async_connect(
        asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), [&](beast::error_code ec) {
          if (ec) {
            result = ec;
            return;
          }
          ws_.async_handshake(response_, cat("127.0.0.1:", port), target,
                              [&](beast::error_code handshake_ec) { result = handshake_ec; });
        });
    run();
    return result;
  }

  beast::error_code send(const std::string& message, bool text) {
    ws_.text(text);
    beast::error_code result = asio::error::timed_out;
    ws_.async_write(asio::buffer(message), [&](beast::error_code ec, size_t) { result = ec; });
    run();
    return result;
  }

  // The next message, or the error that ended the read.
  std::pair<beast::error_code, std::string> receive() {
    beast::flat_buffer buffer;
    beast::error_code result = asio::error::timed_out;
    ws_.async_read(buffer, [&](beast::error_code ec, size_t) { result = ec; });
    run();
    return {result, beast::buffers_to_string(buffer.data())};
  }

  beast::error_code close() {
    beast::error_code result = asio::error::timed_out;
    ws_.async_close(websocket::close_code::normal, [&](beast::error_code ec) { result = ec; });
    run();
    return result;
  }

  const websocket::response_type& handshakeResponse() const { return response_; }

 private:
  void run() {
    io_.restart();
    io_.run_for(std::chrono::seconds(10));
  }

  asio::io_context io_;
  websocket::stream<beast::tcp_stream> ws_{io_};
  websocket::response_type response_;
};

class WebSocketTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto gateway = EchoGateway::start({.backend_name = "ws1"});
    ASSERT_TRUE(gateway.ok()) << gateway.status();
    gateway_ = std::move(*gateway);
    port_ = gateway_->port();
  }

  void TearDown() override {
    if (HasFailure() && gateway_) std::cerr << "--- proxy log:\n" << gateway_->proxy().process().logTail(6000) << "\n";
    if (gateway_) gateway_->stop();
  }

  // The echo backend's first message: the upgrade request it received, as JSON.
  static json::object upgradeEcho(WsClient& client) {
    auto [ec, hello] = client.receive();
    EXPECT_FALSE(ec) << ec.message();
    json::value parsed = json::parse(hello, ec);
    EXPECT_FALSE(ec) << hello;
    return parsed.is_object() ? parsed.as_object() : json::object();
  }

  uint16_t port_ = 0;
  std::unique_ptr<EchoGateway> gateway_;
};

TEST_F(WebSocketTest, HandshakeAndFramesPassThrough) {
  WsClient client;
  beast::error_code ec = client.connect(port_, "/echo/ws?room=1");
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(client.handshakeResponse().result_int(), 101u);

  json::object hello = upgradeEcho(client);
  EXPECT_EQ(hello["name"], "ws1");
  EXPECT_EQ(hello["path"], "/echo/ws");
  EXPECT_EQ(hello["query"], "room=1");
  const json::object& headers = hello["headers"].as_object();
  EXPECT_TRUE(headers.contains("sec-websocket-key"));
  EXPECT_EQ(headers.at("upgrade"), "websocket");
  EXPECT_EQ(headers.at("x-forwarded-for"), "127.0.0.1");
  EXPECT_TRUE(headers.contains("x-request-id"));
  EXPECT_FALSE(headers.contains("x-portico-consumer"));
  EXPECT_FALSE(headers.contains("x-user-id"));

  ASSERT_FALSE(client.send("hello", /*text=*/true));
  auto [text_ec, text] = client.receive();
  ASSERT_FALSE(text_ec) << text_ec.message();
  EXPECT_EQ(text, "hello");

  std::string big(1 << 20, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>((i * 131) % 251);
  ASSERT_FALSE(client.send(big, /*text=*/false));
  auto [binary_ec, echoed] = client.receive();
  ASSERT_FALSE(binary_ec) << binary_ec.message();
  EXPECT_EQ(echoed.size(), big.size());
  EXPECT_TRUE(echoed == big);

  // The close handshake crosses the tunnel both ways.
  EXPECT_FALSE(client.close());

  auto metrics = gateway_->proxy().admin("/metrics");
  ASSERT_TRUE(metrics.ok());
  EXPECT_NE(metrics->body.find("portico_proxy_downstream_upgrades_total 1"), std::string::npos);
}

TEST_F(WebSocketTest, TunnelSurvivesConfigPush) {
  WsClient client;
  ASSERT_FALSE(client.connect(port_, "/echo/ws"));
  upgradeEcho(client);
  ASSERT_TRUE(gateway_->addExtraRoute());
  ASSERT_FALSE(client.send("after push", true));
  auto [ec, text] = client.receive();
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(text, "after push");
  EXPECT_FALSE(client.close());
}

TEST_F(WebSocketTest, UpgradeWithoutRouteIsAnHttpAnswer) {
  WsClient client;
  beast::error_code ec = client.connect(port_, "/nowhere");
  EXPECT_EQ(ec, websocket::error::upgrade_declined);
  EXPECT_EQ(client.handshakeResponse().result_int(), 404u);
}

TEST_F(WebSocketTest, OtherUpgradeTokensAreNotPassedOn) {
  http::ClientRequest request;
  request.target = "/echo/h2c";
  request.headers = {{"connection", "Upgrade, HTTP2-Settings"}, {"upgrade", "h2c"}, {"http2-settings", "AAMAAABkAAQAAP__"}};
  auto response = http::fetch("127.0.0.1", port_, request, absl::Seconds(5));
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 200);
  json::value echo = json::parse(response->body);
  const json::object& headers = echo.at("headers").as_object();
  EXPECT_FALSE(headers.contains("upgrade"));
  EXPECT_FALSE(headers.contains("http2-settings"));
}

}  // namespace
}  // namespace portico::testing
