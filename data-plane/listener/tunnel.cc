#include "data-plane/listener/tunnel.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <array>

namespace portico::dp::listener {

namespace asio = boost::asio;
namespace beast = boost::beast;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using namespace asio::experimental::awaitable_operators;

namespace {

using net::kNoThrow;
constexpr size_t kChunkBytes = 16 * 1024;

struct TunnelState {
  Clock::time_point last_activity = Clock::now();
};

void closeBoth(net::Socket& a, net::Socket& b) {
  boost::system::error_code ignored;
  a.close(ignored);
  b.close(ignored);
}

// Copies `from` → `to` until `from` ends. EOF is passed on as a half-close; any other error
// ends the whole tunnel (closing both sockets makes the other direction's pending read end).
net::Awaitable<void> pump(net::Socket& from, net::Socket& to, beast::flat_buffer& pending,
                           TunnelState& state) {
  if (pending.size() > 0) {
    auto [ec, n] = co_await asio::async_write(to, pending.data(), kNoThrow);
    pending.consume(pending.size());
    if (ec) {
      closeBoth(from, to);
      co_return;
    }
  }
  std::array<char, kChunkBytes> chunk;  // lives in the coroutine frame: one allocation per tunnel
  while (true) {
    auto [read_ec, n] = co_await from.async_read_some(asio::buffer(chunk), kNoThrow);
    if (read_ec == asio::error::eof) {
      boost::system::error_code ignored;
      to.shutdown(tcp::socket::shutdown_send, ignored);
      co_return;
    }
    if (read_ec) {
      closeBoth(from, to);
      co_return;
    }
    state.last_activity = Clock::now();
    auto [write_ec, written] = co_await asio::async_write(to, asio::buffer(chunk.data(), n), kNoThrow);
    if (write_ec) {
      closeBoth(from, to);
      co_return;
    }
    state.last_activity = Clock::now();
  }
}

// Closes both sides once nothing has moved for `idle_timeout`. Cancelled (by the || below)
// when both directions have ended.
net::Awaitable<void> watchdog(net::Socket& a, net::Socket& b, TunnelState& state,
                               Clock::duration idle_timeout) {
  net::Timer timer(a.get_executor());
  while (true) {
    timer.expires_at(state.last_activity + idle_timeout);
    auto [ec] = co_await timer.async_wait(kNoThrow);
    if (ec) co_return;  // cancelled: the tunnel ended
    if (Clock::now() - state.last_activity >= idle_timeout) {
      closeBoth(a, b);
      co_return;
    }
  }
}

}  // namespace

net::Awaitable<void> runTunnel(net::TimedSocket& client, beast::flat_buffer& client_pending,
                                        upstream::UpstreamConnectionPtr upstream,
                                        Clock::duration idle_timeout) {
  // The tunnel does its own timing: no per-operation deadline may fire on either stream.
  client.deadline.expiresNever();
  upstream->deadline.expiresNever();
  net::Socket& down = client.socket;
  net::Socket& up = upstream->socket;
  TunnelState state;
  co_await ((pump(down, up, client_pending, state) && pump(up, down, upstream->buffer, state)) ||
            watchdog(down, up, state, idle_timeout));
}

}  // namespace portico::dp::listener
