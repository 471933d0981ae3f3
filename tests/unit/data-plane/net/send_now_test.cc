#include "data-plane/net/send_now.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <string>
#include <thread>

#include "data-plane/net/executor.h"
#include "tests/support/socket_pair.h"

namespace portico::dp::net {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

using portico::testing::SocketPair;

std::string readExactly(Socket& socket, size_t n) {
  std::string out(n, '\0');
  asio::read(socket, asio::buffer(out));
  return out;
}

TEST(SendNowTest, SendsEveryBufferInOrderSkippingEmptyOnes) {
  asio::io_context io;
  SocketPair pair(io);
  const std::string head = "HTTP/1.1 200 OK\r\n\r\n";
  const std::string body = "ok\n";
  const std::array<asio::const_buffer, 3> message{asio::buffer(head), asio::const_buffer(), asio::buffer(body)};
  boost::system::error_code ec;
  EXPECT_EQ(sendNow(pair.near.native_handle(), message, ec), head.size() + body.size());
  EXPECT_FALSE(ec);
  EXPECT_EQ(readExactly(pair.far, head.size() + body.size()), head + body);
}

TEST(SendNowTest, NothingToSendIsNoCall) {
  boost::system::error_code ec;
  const std::array<asio::const_buffer, 2> empty{};
  EXPECT_EQ(sendNow(-1, std::span<const asio::const_buffer>(empty.data(), 0), ec), 0u);
  EXPECT_FALSE(ec);
}

TEST(SendNowTest, AFullSendBufferIsNotAnErrorAndTheRestFollowsAsynchronously) {
  asio::io_context io;
  SocketPair pair(io);
  pair.near.set_option(asio::socket_base::send_buffer_size(4096));
  pair.near.set_option(tcp::no_delay(true));
  std::string big(1 << 20, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + i % 26);
  const std::array<asio::const_buffer, 2> message{asio::buffer(big.data(), 1000),
                                                  asio::buffer(big.data() + 1000, big.size() - 1000)};
  boost::system::error_code ec;
  const size_t sent = sendNow(pair.near.native_handle(), message, ec);
  EXPECT_FALSE(ec);
  ASSERT_LT(sent, big.size()) << "1 MiB should not fit a 4 KiB send buffer and the peer's window";
  // A second try with the peer not reading: the buffer is still full, 0 bytes, still no error.
  const auto rest = unsent(message, sent);
  EXPECT_EQ(asio::buffer_size(rest), big.size() - sent);
  boost::system::error_code again_ec;
  const size_t again = sendNow(pair.near.native_handle(), rest, again_ec);
  EXPECT_FALSE(again_ec);
  const auto remaining = unsent(rest, again);
  std::string received;
  std::thread reader([&] { received = readExactly(pair.far, big.size()); });
  boost::system::error_code write_ec;
  asio::async_write(pair.near, remaining, [&](boost::system::error_code e, size_t) { write_ec = e; });
  io.run();
  reader.join();
  EXPECT_FALSE(write_ec);
  EXPECT_TRUE(received == big) << "bytes lost, doubled or reordered between the two writes";
}

TEST(SendNowTest, ABrokenConnectionIsAnError) {
  asio::io_context io;
  SocketPair pair(io);
  pair.far.set_option(asio::socket_base::linger(true, 0));  // close with a reset
  pair.far.close();
  const std::string bytes = "GET / HTTP/1.1\r\n\r\n";
  const std::array<asio::const_buffer, 1> message{asio::buffer(bytes)};
  boost::system::error_code ec;
  // The reset may take a moment to land on loopback: a bounded number of tries.
  for (int i = 0; i < 1000 && !ec; ++i) {
    sendNow(pair.near.native_handle(), message, ec);
    if (!ec) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_TRUE(ec == asio::error::connection_reset || ec == asio::error::broken_pipe) << ec.message();
}

TEST(SendNowTest, AClosedSocketIsAnError) {
  boost::system::error_code ec;
  const std::string bytes = "x";
  const std::array<asio::const_buffer, 1> message{asio::buffer(bytes)};
  EXPECT_EQ(sendNow(-1, message, ec), 0u);
  EXPECT_EQ(ec, asio::error::bad_descriptor);
}

TEST(UnsentTest, DropsTheSentPrefixAcrossBuffers) {
  const std::string a = "abcd";
  const std::string b = "efgh";
  const std::array<asio::const_buffer, 2> both{asio::buffer(a), asio::buffer(b)};
  const auto text = [](const std::array<asio::const_buffer, 2>& buffers) {
    std::string out;
    for (const auto& buffer : buffers) out.append(static_cast<const char*>(buffer.data()), buffer.size());
    return out;
  };
  EXPECT_EQ(text(unsent(both, 0)), "abcdefgh");
  EXPECT_EQ(text(unsent(both, 2)), "cdefgh");
  EXPECT_EQ(text(unsent(both, 4)), "efgh");
  EXPECT_EQ(unsent(both, 4)[1].size(), 0u);
  EXPECT_EQ(text(unsent(both, 7)), "h");
  EXPECT_EQ(asio::buffer_size(unsent(both, 8)), 0u);
}

}  // namespace
}  // namespace portico::dp::net
