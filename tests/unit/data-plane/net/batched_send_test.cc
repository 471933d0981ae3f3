#include "data-plane/net/batched_send.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "data-plane/net/executor.h"
#include "tests/support/socket_pair.h"

namespace portico::dp::net {
namespace {

namespace asio = boost::asio;
using portico::testing::SocketPair;

struct Sent {
  boost::system::error_code ec;
  size_t bytes = 0;
};

class BatchedSendTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!sender_.available()) GTEST_SKIP() << "io_uring is not available here";
  }

  // Queues a write whose completion lands in `out`.
  void send(Socket& socket, std::span<const asio::const_buffer> buffers, std::optional<Sent>& out) {
    asyncBatchedSend(sender_, socket, buffers, [&out](boost::system::error_code ec, size_t n) { out = Sent{ec, n}; });
  }

  static std::string readExactly(Socket& socket, size_t n) {
    std::string out(n, '\0');
    asio::read(socket, asio::buffer(out));
    return out;
  }

  asio::io_context io_;
  BatchedSender sender_{io_};
};

TEST_F(BatchedSendTest, TheWritesOfOneTurnGoInOneSystemCall) {
  std::vector<std::unique_ptr<SocketPair>> pairs;
  std::vector<std::string> heads;
  const std::string body = "body";
  std::array<std::optional<Sent>, 3> sent;
  std::vector<std::array<asio::const_buffer, 2>> messages;
  messages.reserve(3);
  for (int i = 0; i < 3; ++i) {
    pairs.push_back(std::make_unique<SocketPair>(io_));
    heads.push_back("GET /" + std::to_string(i) + " HTTP/1.1\r\n\r\n");
  }
  for (int i = 0; i < 3; ++i) {
    messages.push_back({asio::buffer(heads[i]), asio::buffer(body)});
    send(pairs[i]->near, messages.back(), sent[i]);
  }
  EXPECT_FALSE(sent[0].has_value()) << "nothing is sent before the turn's end";
  io_.poll();
  EXPECT_EQ(sender_.flushes(), 1u) << "three writes, one io_uring_enter";
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(sent[i].has_value()) << i;
    EXPECT_FALSE(sent[i]->ec) << sent[i]->ec.message();
    EXPECT_EQ(sent[i]->bytes, heads[i].size() + body.size());
    EXPECT_EQ(readExactly(pairs[i]->far, heads[i].size() + body.size()), heads[i] + body);
  }
}

// The flush calls each handler itself once every result is in: no second trip through the
// io_context's queue per write.
TEST_F(BatchedSendTest, TheFlushCallsTheHandlersItself) {
  SocketPair first_pair(io_);
  SocketPair second_pair(io_);
  const std::string data = "data";
  const std::array<asio::const_buffer, 1> message{asio::buffer(data)};
  std::optional<Sent> first;
  std::optional<Sent> second;
  send(first_pair.near, message, first);
  send(second_pair.near, message, second);
  EXPECT_EQ(io_.run_one(), 1u);  // the flush, and nothing else
  ASSERT_TRUE(first.has_value());
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(first->bytes, data.size());
  EXPECT_EQ(second->bytes, data.size());
  EXPECT_EQ(io_.poll(), 0u) << "no completion was left queued";
}

// A handler may close another write's socket (its coroutine owns it): every write of the batch
// was sent and its result read before the first handler runs.
TEST_F(BatchedSendTest, AHandlerClosingALaterWritesSocketDoesNotUndoThatWrite) {
  SocketPair first_pair(io_);
  SocketPair second_pair(io_);
  const std::string data = "data";
  const std::array<asio::const_buffer, 1> message{asio::buffer(data)};
  std::optional<Sent> second;
  asyncBatchedSend(sender_, first_pair.near, message, [&](boost::system::error_code, size_t) {
    second_pair.near.close();
  });
  send(second_pair.near, message, second);
  io_.poll();
  ASSERT_TRUE(second.has_value());
  EXPECT_FALSE(second->ec) << second->ec.message();
  EXPECT_EQ(second->bytes, data.size());
  EXPECT_EQ(readExactly(second_pair.far, data.size()), data);
}

TEST_F(BatchedSendTest, AWriteQueuedByACompletionGoesInTheNextFlush) {
  SocketPair pair(io_);
  const std::string first = "first";
  const std::string second = "second";
  const std::array<asio::const_buffer, 1> one{asio::buffer(first)};
  const std::array<asio::const_buffer, 1> two{asio::buffer(second)};
  std::optional<Sent> second_sent;
  asyncBatchedSend(sender_, pair.near, one, [&](boost::system::error_code, size_t) {
    send(pair.near, two, second_sent);
  });
  io_.poll();
  ASSERT_TRUE(second_sent.has_value());
  EXPECT_EQ(sender_.flushes(), 2u);
  EXPECT_EQ(readExactly(pair.far, first.size() + second.size()), first + second);
}

TEST_F(BatchedSendTest, AFullSocketTakesWhatFitsAndThatIsNoError) {
  SocketPair pair(io_);
  pair.near.set_option(asio::socket_base::send_buffer_size(4096));
  pair.far.set_option(asio::socket_base::receive_buffer_size(4096));
  const std::string big(4 << 20, 'x');  // far more than both buffers hold
  const std::array<asio::const_buffer, 1> message{asio::buffer(big)};
  std::optional<Sent> sent;
  send(pair.near, message, sent);
  io_.poll();
  ASSERT_TRUE(sent.has_value());
  EXPECT_FALSE(sent->ec) << sent->ec.message();
  EXPECT_LT(sent->bytes, big.size()) << "the rest is the caller's, with async_write";
}

TEST_F(BatchedSendTest, AClosedPeerIsAnError) {
  SocketPair pair(io_);
  pair.far.set_option(asio::socket_base::linger(true, 0));
  pair.far.close();  // a reset
  const std::string data = "data";
  const std::array<asio::const_buffer, 1> message{asio::buffer(data)};
  std::optional<Sent> first;
  send(pair.near, message, first);
  io_.poll();
  ASSERT_TRUE(first.has_value());
  EXPECT_TRUE(first->ec) << "a reset connection refuses the write";
}

// Its deadline may close the socket between add() and the flush (the same turn); an accept in
// between may get its descriptor number: the write must fail, not go to that connection.
TEST_F(BatchedSendTest, ASocketClosedBeforeTheFlushIsNeverWritten) {
  SocketPair closed(io_);
  const std::string data = "for the closed socket only";
  const std::array<asio::const_buffer, 1> message{asio::buffer(data)};
  std::optional<Sent> sent;
  send(closed.near, message, sent);
  closed.near.close();
  SocketPair reuser(io_);  // likely gets the closed descriptor's number
  io_.poll();
  ASSERT_TRUE(sent.has_value());
  EXPECT_EQ(sent->ec, asio::error::bad_descriptor);
  EXPECT_EQ(sent->bytes, 0u);
  EXPECT_EQ(sender_.flushes(), 0u) << "nothing was submitted";
  reuser.far.non_blocking(true);
  std::array<char, 64> buffer{};
  boost::system::error_code ec;
  EXPECT_EQ(reuser.far.read_some(asio::buffer(buffer), ec), 0u);
  EXPECT_EQ(ec, asio::error::would_block) << "the new connection received nothing";
}

}  // namespace
}  // namespace portico::dp::net
