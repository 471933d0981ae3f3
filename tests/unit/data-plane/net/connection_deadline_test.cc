#include "data-plane/net/connection_deadline.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <memory>
#include <optional>

#include "tests/support/socket_pair.h"

namespace portico::dp::net {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;

using portico::testing::SocketPair;

struct ReadResult {
  boost::system::error_code ec;
  size_t bytes = 0;
};

// Starts one read on `socket`; the result lands in the returned optional.
std::shared_ptr<std::optional<ReadResult>> startRead(Socket& socket, std::array<char, 16>& buffer) {
  auto result = std::make_shared<std::optional<ReadResult>>();
  socket.async_read_some(asio::buffer(buffer), [result](boost::system::error_code ec, size_t n) {
    *result = ReadResult{ec, n};
  });
  return result;
}

// Runs `io` until `done` holds or 10 s pass (a bound against hangs, not a timing assertion).
template <typename Done>
void runUntil(asio::io_context& io, Done done) {
  const auto limit = std::chrono::steady_clock::now() + 10s;
  while (!done() && std::chrono::steady_clock::now() < limit) {
    io.run_for(10ms);
    io.restart();
  }
}

TEST(ConnectionDeadlineTest, PassedDeadlineClosesTheSocketAndEndsThePendingRead) {
  asio::io_context io;
  SocketPair pair(io);
  ConnectionDeadline deadline(pair.near);
  std::array<char, 16> buffer;
  auto read = startRead(pair.near, buffer);
  deadline.expiresAfter(30ms);
  runUntil(io, [&] { return read->has_value(); });
  ASSERT_TRUE(read->has_value());
  EXPECT_EQ((*read)->ec, asio::error::operation_aborted);
  EXPECT_TRUE(deadline.expired());
  EXPECT_FALSE(pair.near.is_open());
}

TEST(ConnectionDeadlineTest, MovingTheDeadlineLaterKeepsTheConnection) {
  asio::io_context io;
  SocketPair pair(io);
  ConnectionDeadline deadline(pair.near);
  deadline.expiresAfter(40ms);
  deadline.expiresAfter(30s);  // only stored: the 40 ms wait re-arms when it fires
  std::array<char, 16> buffer;
  auto read = startRead(pair.near, buffer);
  asio::steady_timer later(io, 200ms);  // well past the first deadline
  later.async_wait([&](boost::system::error_code) { asio::write(pair.far, asio::buffer("hi", 2)); });
  runUntil(io, [&] { return read->has_value(); });
  ASSERT_TRUE(read->has_value());
  EXPECT_FALSE((*read)->ec) << (*read)->ec.message();
  EXPECT_EQ((*read)->bytes, 2u);
  EXPECT_FALSE(deadline.expired());
  EXPECT_TRUE(pair.near.is_open());
}

TEST(ConnectionDeadlineTest, MovingTheDeadlineEarlierReArms) {
  asio::io_context io;
  SocketPair pair(io);
  ConnectionDeadline deadline(pair.near);
  deadline.expiresAfter(1h);
  deadline.expiresAfter(20ms);
  std::array<char, 16> buffer;
  auto read = startRead(pair.near, buffer);
  runUntil(io, [&] { return read->has_value(); });
  ASSERT_TRUE(read->has_value());
  EXPECT_EQ((*read)->ec, asio::error::operation_aborted);
  EXPECT_TRUE(deadline.expired());
}

TEST(ConnectionDeadlineTest, NoDeadlineNeverCloses) {
  asio::io_context io;
  SocketPair pair(io);
  ConnectionDeadline deadline(pair.near);
  deadline.expiresAfter(20ms);
  deadline.expiresNever();
  std::array<char, 16> buffer;
  auto read = startRead(pair.near, buffer);
  asio::steady_timer later(io, 150ms);
  later.async_wait([&](boost::system::error_code) { asio::write(pair.far, asio::buffer("x", 1)); });
  runUntil(io, [&] { return read->has_value(); });
  ASSERT_TRUE(read->has_value());
  EXPECT_FALSE((*read)->ec);
  EXPECT_FALSE(deadline.expired());
}

TEST(ConnectionDeadlineTest, DestroyedWithAWaitPendingIsSafe) {
  asio::io_context io;
  SocketPair pair(io);
  {
    ConnectionDeadline deadline(pair.near);
    deadline.expiresAfter(10ms);
  }
  io.run_for(50ms);  // the cancelled wait's handler runs after the deadline is gone
  EXPECT_TRUE(pair.near.is_open());
}

}  // namespace
}  // namespace portico::dp::net
