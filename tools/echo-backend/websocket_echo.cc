#include "tools/echo-backend/websocket_echo.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/websocket.hpp>

#include "common/logging.h"

namespace portico::tools::echo {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
using Request = beast::http::request<beast::http::string_body>;

namespace {

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

asio::awaitable<void> serve(websocket::stream<beast::tcp_stream> ws, Request request, std::string first) {
  // Beast's server defaults: idle pings and a handshake timeout instead of the HTTP deadlines.
  beast::get_lowest_layer(ws).expires_never();
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  ws.read_message_max(64ull * 1024 * 1024);
  auto [accept_ec] = co_await ws.async_accept(request, kNoThrow);
  if (accept_ec) co_return;
  ws.text(true);
  auto [hello_ec, hello_n] = co_await ws.async_write(asio::buffer(first), kNoThrow);
  if (hello_ec) co_return;
  beast::flat_buffer buffer;
  while (true) {
    auto [read_ec, n] = co_await ws.async_read(buffer, kNoThrow);
    if (read_ec) co_return;  // websocket::error::closed after a close handshake, or an error
    ws.text(ws.got_text());
    auto [write_ec, written] = co_await ws.async_write(buffer.data(), kNoThrow);
    if (write_ec) co_return;
    buffer.consume(buffer.size());
  }
}

}  // namespace

void startWebSocketEcho(beast::tcp_stream stream, Request request, std::string first_message) {
  const auto executor = stream.get_executor();
  asio::co_spawn(executor,
                 serve(websocket::stream<beast::tcp_stream>(std::move(stream)), std::move(request),
                       std::move(first_message)),
                 asio::detached);
}

}  // namespace portico::tools::echo
