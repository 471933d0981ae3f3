#pragma once

// A connected loopback TCP pair on one io_context, with the worker's socket type: `near` is the
// side a test exercises, `far` its peer. Header-only: only tests that link portico_dp use it.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "data-plane/net/executor.h"

namespace portico::testing {

struct SocketPair {
  explicit SocketPair(boost::asio::io_context& io) : near(io.get_executor()), far(io.get_executor()) {
    boost::asio::ip::tcp::acceptor acceptor(
        io, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
    near.connect(acceptor.local_endpoint());
    acceptor.accept(far);
  }
  dp::net::Socket near;
  dp::net::Socket far;
};

}  // namespace portico::testing
