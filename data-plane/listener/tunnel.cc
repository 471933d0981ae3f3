#include "data-plane/listener/tunnel.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/write.hpp>

#include <array>

#include "data-plane/net/tls_close.h"

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

// The peer finished sending: for a plaintext peer an EOF; over TLS a close_notify, or a FIN
// without one (stream_truncated), which is as final for a byte tunnel.
bool endOfStream(const boost::system::error_code& ec) {
  return ec == asio::error::eof || ec == asio::ssl::error::stream_truncated;
}

// Passes a half-close on to `to`.
template <typename To>
net::Awaitable<void> halfClose(To& to) {
  if constexpr (net::kIsTls<To>) {
    co_await net::sendCloseNotify(to);
  }
  boost::system::error_code ignored;
  net::lowestSocket(to).shutdown(tcp::socket::shutdown_send, ignored);
  co_return;  // a coroutine for the plaintext stream too
}

// Copies `from` → `to` until `from` ends. EOF is passed on as a half-close; any other error
// ends the whole tunnel (closing both sockets makes the other direction's pending read end).
template <typename From, typename To>
net::Awaitable<void> pump(From& from, To& to, beast::flat_buffer& pending, TunnelState& state) {
  net::Socket& from_socket = net::lowestSocket(from);
  net::Socket& to_socket = net::lowestSocket(to);
  if (pending.size() > 0) {
    auto [ec, n] = co_await asio::async_write(to, pending.data(), kNoThrow);
    pending.consume(pending.size());
    if (ec) {
      closeBoth(from_socket, to_socket);
      co_return;
    }
  }
  std::array<char, kChunkBytes> chunk;  // lives in the coroutine frame: one allocation per tunnel
  while (true) {
    auto [read_ec, n] = co_await from.async_read_some(asio::buffer(chunk), kNoThrow);
    if (endOfStream(read_ec)) {
      co_await halfClose(to);
      co_return;
    }
    if (read_ec) {
      closeBoth(from_socket, to_socket);
      co_return;
    }
    state.last_activity = Clock::now();
    auto [write_ec, written] = co_await asio::async_write(to, asio::buffer(chunk.data(), n), kNoThrow);
    if (write_ec) {
      closeBoth(from_socket, to_socket);
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

template <typename Stream>
net::Awaitable<void> runTunnel(net::TimedStream<Stream>& client, beast::flat_buffer& client_pending,
                               upstream::UpstreamConnectionPtr upstream,
                               Clock::duration idle_timeout) {
  // The tunnel does its own timing: no per-operation deadline may fire on either stream.
  client.deadline.expiresNever();
  upstream->deadline.expiresNever();
  Stream& down = client.stream;
  net::Socket& up = upstream->socket;
  TunnelState state;
  co_await ((pump(down, up, client_pending, state) && pump(up, down, upstream->buffer, state)) ||
            watchdog(client.socket(), up, state, idle_timeout));
}

template net::Awaitable<void> runTunnel(net::TimedSocket&, beast::flat_buffer&,
                                        upstream::UpstreamConnectionPtr, Clock::duration);
template net::Awaitable<void> runTunnel(net::TimedTlsStream&, beast::flat_buffer&,
                                        upstream::UpstreamConnectionPtr, Clock::duration);

}  // namespace portico::dp::listener
