#include "data-plane/net/read_readiness.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <memory>
#include <optional>
#include <string>

#include "tests/support/socket_pair.h"

namespace portico::dp::net {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;

using portico::testing::SocketPair;

struct ReadResult {
  boost::system::error_code ec;
  std::string bytes;
};

class ReadReadinessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!readinessTracked()) GTEST_SKIP() << "markDrained does nothing with this Asio";
    ASSERT_TRUE(watchPeerClose(pair.near));
  }

  // Starts one read of up to kCapacity bytes on `near`; the result lands in the optional.
  std::shared_ptr<std::optional<ReadResult>> startRead() {
    auto result = std::make_shared<std::optional<ReadResult>>();
    pair.near.async_read_some(asio::buffer(buffer), [this, result](boost::system::error_code ec, size_t n) {
      *result = ReadResult{ec, std::string(buffer.data(), n)};
    });
    return result;
  }

  // Runs the io_context until `read` completes or 10 s pass (a bound against a hang: a read
  // whose wake-up was lost never completes).
  void runUntilDone(const std::shared_ptr<std::optional<ReadResult>>& read) {
    const auto limit = std::chrono::steady_clock::now() + 10s;
    while (!read->has_value() && std::chrono::steady_clock::now() < limit) {
      io.run_for(10ms);
      io.restart();
    }
  }

  void send(const std::string& bytes) { asio::write(pair.far, asio::buffer(bytes)); }

  // Sends `bytes`, reads them in one short read and marks the socket drained.
  void drainAfter(const std::string& bytes) {
    send(bytes);
    ASSERT_EQ(shortRead(), bytes);
    markDrained(pair.near, bytes.size(), kCapacity);
  }

  // Starts a read and lets the reactor run once: with nothing to read, the read is waiting.
  std::shared_ptr<std::optional<ReadResult>> startWaitingRead() {
    auto read = startRead();
    io.poll();
    io.restart();
    return read;
  }

  // Reads what `far` sent so far, in one read that returns fewer bytes than the buffer holds.
  std::string shortRead() {
    auto read = startRead();
    runUntilDone(read);
    EXPECT_TRUE(read->has_value());
    return read->has_value() ? (*read)->bytes : "";
  }

  static constexpr size_t kCapacity = 64;
  asio::io_context io;
  SocketPair pair{io};
  std::array<char, kCapacity> buffer{};
};

TEST_F(ReadReadinessTest, ReadsTryRecvFirstUntilAShortRead) {
  EXPECT_TRUE(nextReadTriesFirst(pair.near));
  send("abc");
  ASSERT_EQ(shortRead(), "abc");
  EXPECT_TRUE(nextReadTriesFirst(pair.near)) << "Asio's own behaviour: it only stops after end of file";
  markDrained(pair.near, 3, kCapacity);
  EXPECT_FALSE(nextReadTriesFirst(pair.near));
}

TEST_F(ReadReadinessTest, AFullOrEmptyReadProvesNothing) {
  send("abc");
  ASSERT_EQ(shortRead(), "abc");
  markDrained(pair.near, kCapacity, kCapacity);  // the queue may hold more
  EXPECT_TRUE(nextReadTriesFirst(pair.near));
  markDrained(pair.near, 0, kCapacity);  // end of file: Asio decides
  EXPECT_TRUE(nextReadTriesFirst(pair.near));
}

TEST_F(ReadReadinessTest, BytesArrivingBeforeTheNextReadStartsAreRead) {
  ASSERT_NO_FATAL_FAILURE(drainAfter("abc"));
  send("def");  // arrives while no read is pending: only epoll's edge tells of it
  auto read = startRead();
  runUntilDone(read);
  ASSERT_TRUE(read->has_value()) << "the read missed the bytes' wake-up";
  EXPECT_FALSE((*read)->ec);
  EXPECT_EQ((*read)->bytes, "def");
}

TEST_F(ReadReadinessTest, BytesArrivingWhileTheReadWaitsAreRead) {
  ASSERT_NO_FATAL_FAILURE(drainAfter("abc"));
  auto read = startWaitingRead();
  EXPECT_FALSE(read->has_value());
  send("ghi");
  runUntilDone(read);
  ASSERT_TRUE(read->has_value());
  EXPECT_EQ((*read)->bytes, "ghi");
}

TEST_F(ReadReadinessTest, AnEventForTheSocketRestoresTheFirstAttempt) {
  ASSERT_NO_FATAL_FAILURE(drainAfter("abc"));
  send("jkl");
  // The reactor sees the edge with no read queued: the next read must try recv() again, since
  // no further edge will come for these bytes.
  // A timer gives the io_context work, so that it runs the reactor while no read is pending.
  const auto limit = std::chrono::steady_clock::now() + 10s;
  while (!nextReadTriesFirst(pair.near) && std::chrono::steady_clock::now() < limit) {
    asio::steady_timer tick(io, 10ms);
    tick.async_wait([](boost::system::error_code) {});
    io.run();
    io.restart();
  }
  EXPECT_TRUE(nextReadTriesFirst(pair.near));
  EXPECT_EQ(shortRead(), "jkl");
}

TEST_F(ReadReadinessTest, WithoutTheWatchForTheCloseAShortReadChangesNothing) {
  SocketPair other(io);
  std::array<char, kCapacity> bytes{};
  asio::write(other.far, asio::buffer(std::string("abc")));
  ASSERT_EQ(other.near.read_some(asio::buffer(bytes)), 3u);
  markDrained(other.near, 3, kCapacity);
  EXPECT_TRUE(nextReadTriesFirst(other.near));
}

// The peer's close behind the bytes (data then FIN, before the short read) makes no event after
// that read: the next read must still see the end of input, whichever way the bytes were read.
TEST_F(ReadReadinessTest, ACloseThatCameWithTheBytesIsStillSeen) {
  send("abc");
  pair.far.shutdown(tcp::socket::shutdown_send);
  ASSERT_EQ(shortRead(), "abc");
  markDrained(pair.near, 3, kCapacity);
  auto read = startRead();
  runUntilDone(read);
  ASSERT_TRUE(read->has_value()) << "the end of input was lost";
  EXPECT_EQ((*read)->ec, asio::error::eof);
}

TEST_F(ReadReadinessTest, ACloseThatCameWithTheBytesAnAwaitedReadGotIsStillSeen) {
  ASSERT_NO_FATAL_FAILURE(drainAfter("abc"));
  auto read = startWaitingRead();  // waits for epoll: the next bytes and the close come to it
  ASSERT_FALSE(read->has_value());
  send("def");
  pair.far.shutdown(tcp::socket::shutdown_send);
  runUntilDone(read);
  ASSERT_TRUE(read->has_value());
  EXPECT_EQ((*read)->bytes, "def");
  markDrained(pair.near, 3, kCapacity);
  auto last = startRead();
  runUntilDone(last);
  ASSERT_TRUE(last->has_value()) << "the end of input was lost";
  EXPECT_EQ((*last)->ec, asio::error::eof);
}

TEST_F(ReadReadinessTest, AResetBehindTheBytesIsStillSeen) {
  ASSERT_NO_FATAL_FAILURE(drainAfter("abc"));
  auto read = startWaitingRead();
  send("def");
  pair.far.set_option(asio::socket_base::linger(true, 0));
  pair.far.close();  // a reset
  runUntilDone(read);
  ASSERT_TRUE(read->has_value());
  // The reset may overtake the bytes: what matters is that the reads end in an error.
  for (int i = 0; i < 3 && !(*read)->ec; ++i) {
    markDrained(pair.near, (*read)->bytes.size(), kCapacity);
    read = startRead();
    runUntilDone(read);
    ASSERT_TRUE(read->has_value()) << "the reset was lost";
  }
  EXPECT_TRUE((*read)->ec == asio::error::connection_reset || (*read)->ec == asio::error::eof) << (*read)->ec.message();
}

TEST_F(ReadReadinessTest, ThePeersCloseEndsAWaitingRead) {
  ASSERT_NO_FATAL_FAILURE(drainAfter("abc"));
  auto read = startRead();
  pair.far.close();
  runUntilDone(read);
  ASSERT_TRUE(read->has_value());
  EXPECT_EQ((*read)->ec, asio::error::eof);
}

}  // namespace
}  // namespace portico::dp::net
