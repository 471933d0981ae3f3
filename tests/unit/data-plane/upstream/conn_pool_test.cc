#include "data-plane/upstream/conn_pool.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <thread>

namespace portico::dp::upstream {
namespace {

using boost::asio::ip::tcp;

class ConnPoolTest : public ::testing::Test {
 protected:
  // An unconnected but open socket: take() only hands out connections whose socket is open.
  UpstreamConnectionPtr openConnection(uint32_t tag) {
    auto connection = std::make_unique<UpstreamConnection>(io_.get_executor());
    boost::system::error_code ec;
    connection->socket.open(tcp::v4(), ec);
    EXPECT_FALSE(ec) << ec.message();
    connection->requests = tag;  // identifies the connection in assertions
    return connection;
  }

  static ConnPool::Options options(std::chrono::seconds idle_timeout, size_t max_idle = 128) {
    ConnPool::Options out;
    out.idle_timeout = idle_timeout;
    out.max_idle_per_endpoint = max_idle;
    return out;
  }

  boost::asio::io_context io_;
};

TEST_F(ConnPoolTest, TakeOnEmptyPoolIsNull) {
  ConnPool pool(options(std::chrono::seconds(30)));
  EXPECT_EQ(pool.take("127.0.0.1:80"), nullptr);
  EXPECT_EQ(pool.idleCount(), 0u);
}

TEST_F(ConnPoolTest, MostRecentlyPutComesBackFirst) {
  ConnPool pool(options(std::chrono::seconds(30)));
  pool.put("a", openConnection(1));
  pool.put("a", openConnection(2));
  pool.put("a", openConnection(3));
  EXPECT_EQ(pool.idleCount(), 3u);
  auto first = pool.take("a");
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->requests, 3u);
  auto second = pool.take("a");
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(second->requests, 2u);
  auto third = pool.take("a");
  ASSERT_NE(third, nullptr);
  EXPECT_EQ(third->requests, 1u);
  EXPECT_EQ(pool.take("a"), nullptr);
  EXPECT_EQ(pool.idleCount(), 0u);
}

TEST_F(ConnPoolTest, KeysAreSeparate) {
  ConnPool pool(options(std::chrono::seconds(30)));
  pool.put("10.0.0.1:80", openConnection(1));
  pool.put("10.0.0.2:80", openConnection(2));
  EXPECT_EQ(pool.take("10.0.0.3:80"), nullptr);
  auto b = pool.take("10.0.0.2:80");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->requests, 2u);
  EXPECT_EQ(pool.take("10.0.0.2:80"), nullptr);
  auto a = pool.take("10.0.0.1:80");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->requests, 1u);
}

TEST_F(ConnPoolTest, PutSetsIdleSince) {
  ConnPool pool(options(std::chrono::seconds(30)));
  const auto before = std::chrono::steady_clock::now();
  pool.put("a", openConnection(1));
  auto connection = pool.take("a");
  ASSERT_NE(connection, nullptr);
  EXPECT_GE(connection->idle_since, before);
  EXPECT_LE(connection->idle_since, std::chrono::steady_clock::now());
}

TEST_F(ConnPoolTest, MaxIdlePerEndpointIsHonoured) {
  ConnPool pool(options(std::chrono::seconds(30), /*max_idle=*/2));
  pool.put("a", openConnection(1));
  pool.put("a", openConnection(2));
  pool.put("a", openConnection(3));  // over the limit: dropped
  pool.put("b", openConnection(4));  // another endpoint has its own limit
  EXPECT_EQ(pool.idleCount(), 3u);
  EXPECT_NE(pool.take("a"), nullptr);
  EXPECT_NE(pool.take("a"), nullptr);
  EXPECT_EQ(pool.take("a"), nullptr);
  EXPECT_NE(pool.take("b"), nullptr);
}

TEST_F(ConnPoolTest, MaxIdleZeroKeepsNothing) {
  ConnPool pool(options(std::chrono::seconds(30), /*max_idle=*/0));
  pool.put("a", openConnection(1));
  EXPECT_EQ(pool.idleCount(), 0u);
  EXPECT_EQ(pool.take("a"), nullptr);
}

TEST_F(ConnPoolTest, ZeroIdleTimeoutExpiresEverything) {
  ConnPool pool(options(std::chrono::seconds(0)));
  pool.put("a", openConnection(1));
  pool.put("a", openConnection(2));
  EXPECT_EQ(pool.take("a"), nullptr);
  EXPECT_EQ(pool.idleCount(), 0u) << "expired connections are dropped when looked at";
}

TEST_F(ConnPoolTest, ConnectionsExpireAfterTheIdleTimeout) {
  ConnPool pool(options(std::chrono::seconds(1)));
  pool.put("a", openConnection(1));
  auto fresh = pool.take("a");
  ASSERT_NE(fresh, nullptr) << "within the idle timeout";
  pool.put("a", std::move(fresh));
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  EXPECT_EQ(pool.take("a"), nullptr);
  EXPECT_EQ(pool.idleCount(), 0u);
}

TEST_F(ConnPoolTest, TheNextPutDropsExpiredConnectionsFromTheOldEnd) {
  ConnPool pool(options(std::chrono::seconds(1)));
  const auto t0 = std::chrono::steady_clock::now();
  pool.put("a", openConnection(1), t0);
  pool.put("a", openConnection(2), t0 + std::chrono::milliseconds(500));
  pool.put("a", openConnection(3), t0 + std::chrono::milliseconds(1200));  // the first expired
  EXPECT_EQ(pool.idleCount(), 2u);
  auto newest = pool.take("a", t0 + std::chrono::milliseconds(1300));
  ASSERT_NE(newest, nullptr);
  EXPECT_EQ(newest->requests, 3u);
}

TEST_F(ConnPoolTest, ExpiredConnectionsDoNotCountAgainstTheLimit) {
  ConnPool pool(options(std::chrono::seconds(1), /*max_idle=*/2));
  const auto t0 = std::chrono::steady_clock::now();
  pool.put("a", openConnection(1), t0);
  // Out of order: its exchange started long before it ended; it is behind a live one.
  pool.put("a", openConnection(2), t0 - std::chrono::seconds(2));
  pool.put("a", openConnection(3), t0 + std::chrono::milliseconds(100));  // full: swept whole
  EXPECT_EQ(pool.idleCount(), 2u);
  const auto now = t0 + std::chrono::milliseconds(200);
  auto first = pool.take("a", now);
  auto second = pool.take("a", now);
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(first->requests, 3u);
  EXPECT_EQ(second->requests, 1u);
  EXPECT_EQ(pool.take("a", now), nullptr);
}

TEST_F(ConnPoolTest, ClosedSocketsAreSkipped) {
  ConnPool pool(options(std::chrono::seconds(30)));
  pool.put("a", openConnection(1));
  auto closed = openConnection(2);
  closed->socket.close();
  pool.put("a", std::move(closed));
  auto connection = pool.take("a");
  ASSERT_NE(connection, nullptr);
  EXPECT_EQ(connection->requests, 1u) << "the closed one (most recent) is discarded";
  EXPECT_EQ(pool.idleCount(), 0u);
}

TEST_F(ConnPoolTest, NeverOpenedConnectionIsNotHandedOut) {
  ConnPool pool(options(std::chrono::seconds(30)));
  pool.put("a", std::make_unique<UpstreamConnection>(io_.get_executor()));
  EXPECT_EQ(pool.take("a"), nullptr);
}

// Expired connections never count against max_idle_per_endpoint: a fresh one is kept.
TEST_F(ConnPoolTest, PutPrefersAFreshConnectionOverExpiredOnes) {
  ConnPool pool(options(std::chrono::seconds(1), /*max_idle=*/1));
  pool.put("a", openConnection(1));
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  pool.put("a", openConnection(2));
  auto connection = pool.take("a");
  ASSERT_NE(connection, nullptr);
  EXPECT_EQ(connection->requests, 2u);
}

}  // namespace
}  // namespace portico::dp::upstream
