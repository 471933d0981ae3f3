// Circuit-breaker accounting: slots are taken up to the limit, refusals are counted, and every
// slot comes back — on scope exit, move, exceptions, coroutine destruction, and with the
// connection that holds it (closed or dropped from the idle pool).

#include "data-plane/upstream/cluster_state.h"

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>
#include <stdexcept>
#include <vector>

#include "data-plane/upstream/conn_pool.h"

namespace portico::dp::upstream {
namespace {

CircuitBreakerLimits limitsOf(uint32_t connections, uint32_t pending, uint32_t requests,
                              uint32_t retries) {
  CircuitBreakerLimits limits;
  limits.max_connections = connections;
  limits.max_pending_requests = pending;
  limits.max_requests = requests;
  limits.max_retries = retries;
  return limits;
}

uint64_t opened(const ClusterState& state, Resource resource) {
  return state.counters.breaker_open[static_cast<int>(resource)].load();
}

TEST(ClusterStateTest, SlotsUpToTheLimitThenRefusedAndCounted) {
  ClusterState state;
  const CircuitBreakerLimits limits = limitsOf(1, 1, 2, 1);
  std::vector<ResourceSlot> held;
  held.push_back(state.tryAcquire(Resource::kRequests, limits));
  held.push_back(state.tryAcquire(Resource::kRequests, limits));
  EXPECT_TRUE(held[0] && held[1]);
  EXPECT_EQ(state.inUse(Resource::kRequests), 2u);
  ResourceSlot refused = state.tryAcquire(Resource::kRequests, limits);
  EXPECT_FALSE(refused);
  EXPECT_EQ(state.inUse(Resource::kRequests), 2u)
      << "a refused attempt gives its slot straight back";
  EXPECT_EQ(opened(state, Resource::kRequests), 1u);
  EXPECT_EQ(opened(state, Resource::kConnections), 0u);
  held.pop_back();
  EXPECT_EQ(state.inUse(Resource::kRequests), 1u);
  EXPECT_TRUE(state.tryAcquire(Resource::kRequests, limits)) << "room again after a release";
}

TEST(ClusterStateTest, ResourcesAreIndependent) {
  ClusterState state;
  const CircuitBreakerLimits limits = limitsOf(1, 1, 1, 1);
  ResourceSlot a = state.tryAcquire(Resource::kConnections, limits);
  ResourceSlot b = state.tryAcquire(Resource::kPendingRequests, limits);
  ResourceSlot c = state.tryAcquire(Resource::kRequests, limits);
  ResourceSlot d = state.tryAcquire(Resource::kRetries, limits);
  EXPECT_TRUE(a && b && c && d);
  for (Resource r : {Resource::kConnections, Resource::kPendingRequests, Resource::kRequests,
                     Resource::kRetries}) {
    EXPECT_EQ(state.inUse(r), 1u) << resourceName(r);
    EXPECT_FALSE(state.tryAcquire(r, limits)) << resourceName(r);
    EXPECT_EQ(opened(state, r), 1u) << resourceName(r);
  }
}

TEST(ClusterStateTest, ZeroLimitRefusesEverything) {
  ClusterState state;
  EXPECT_FALSE(state.tryAcquire(Resource::kRetries, limitsOf(1, 1, 1, 0)));
  EXPECT_EQ(state.inUse(Resource::kRetries), 0u);
}

TEST(ClusterStateTest, MoveTransfersAndReleaseIsIdempotent) {
  ClusterState state;
  const CircuitBreakerLimits limits = limitsOf(5, 5, 5, 5);
  ResourceSlot first = state.tryAcquire(Resource::kRequests, limits);
  ResourceSlot moved = std::move(first);
  EXPECT_FALSE(first);  // NOLINT(bugprone-use-after-move): checking the moved-from state
  EXPECT_TRUE(moved);
  EXPECT_EQ(state.inUse(Resource::kRequests), 1u);
  ResourceSlot other = state.tryAcquire(Resource::kRequests, limits);
  other = std::move(moved);  // releases other's own slot first
  EXPECT_EQ(state.inUse(Resource::kRequests), 1u);
  other.release();
  other.release();
  EXPECT_EQ(state.inUse(Resource::kRequests), 0u);
}

TEST(ClusterStateTest, ExceptionReleasesTheSlot) {
  ClusterState state;
  const CircuitBreakerLimits limits = limitsOf(5, 5, 5, 5);
  try {
    ResourceSlot slot = state.tryAcquire(Resource::kPendingRequests, limits);
    ASSERT_EQ(state.inUse(Resource::kPendingRequests), 1u);
    throw std::runtime_error("boom");
  } catch (const std::runtime_error&) {
  }
  EXPECT_EQ(state.inUse(Resource::kPendingRequests), 0u);
}

// A request coroutine that is destroyed while suspended (the worker shuts down) gives its
// slots back: they are locals of its frame.
TEST(ClusterStateTest, DestroyedCoroutineReleasesItsSlots) {
  ClusterState state;
  const CircuitBreakerLimits limits = limitsOf(5, 5, 5, 5);
  {
    boost::asio::io_context io;
    boost::asio::co_spawn(
        io,
        [&]() -> boost::asio::awaitable<void> {
          ResourceSlot request = state.tryAcquire(Resource::kRequests, limits);
          ResourceSlot retry = state.tryAcquire(Resource::kRetries, limits);
          boost::asio::steady_timer timer(io, std::chrono::hours(1));
          co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
        },
        boost::asio::detached);
    io.poll();  // runs the coroutine up to its suspension
    EXPECT_EQ(state.inUse(Resource::kRequests), 1u);
    EXPECT_EQ(state.inUse(Resource::kRetries), 1u);
  }  // io_context destroyed with the coroutine suspended
  EXPECT_EQ(state.inUse(Resource::kRequests), 0u);
  EXPECT_EQ(state.inUse(Resource::kRetries), 0u);
}

TEST(ClusterStateTest, RetryBudgetScalesWithRequestsInFlight) {
  ClusterState state;
  CircuitBreakerLimits limits = limitsOf(1000, 1000, 1000, 1);
  limits.has_retry_budget = true;
  limits.budget_percent = 20;
  limits.min_retry_concurrency = 2;
  std::vector<ResourceSlot> retries;
  // Nothing in flight: min_retry_concurrency applies (not max_retries).
  retries.push_back(state.tryAcquire(Resource::kRetries, limits));
  retries.push_back(state.tryAcquire(Resource::kRetries, limits));
  EXPECT_FALSE(state.tryAcquire(Resource::kRetries, limits));
  // 20 requests and 5 pending in flight: 20% of 25 = 5 retries.
  std::vector<ResourceSlot> load;
  for (int i = 0; i < 20; ++i) load.push_back(state.tryAcquire(Resource::kRequests, limits));
  for (int i = 0; i < 5; ++i) load.push_back(state.tryAcquire(Resource::kPendingRequests, limits));
  for (int i = 0; i < 3; ++i) retries.push_back(state.tryAcquire(Resource::kRetries, limits));
  EXPECT_TRUE(retries[2] && retries[3] && retries[4]);
  EXPECT_FALSE(state.tryAcquire(Resource::kRetries, limits));
  EXPECT_EQ(opened(state, Resource::kRetries), 2u);
}

class ConnectionSlotTest : public ::testing::Test {
 protected:
  UpstreamConnectionPtr connectionWithSlot() {
    auto connection = std::make_unique<UpstreamConnection>(io_.get_executor());
    boost::system::error_code ec;
    connection->socket.open(boost::asio::ip::tcp::v4(), ec);
    connection->cluster_state = state_;
    connection->connection_slot = state_->tryAcquire(Resource::kConnections, limits_);
    return connection;
  }

  boost::asio::io_context io_;
  std::shared_ptr<ClusterState> state_ = std::make_shared<ClusterState>();
  CircuitBreakerLimits limits_ = limitsOf(2, 5, 5, 5);
};

TEST_F(ConnectionSlotTest, ClosedConnectionReleasesItsSlot) {
  auto connection = connectionWithSlot();
  EXPECT_EQ(state_->inUse(Resource::kConnections), 1u);
  connection.reset();
  EXPECT_EQ(state_->inUse(Resource::kConnections), 0u);
}

TEST_F(ConnectionSlotTest, IdleConnectionsKeepTheirSlotsUntilDropped) {
  ConnPool::Options options;
  options.idle_timeout = std::chrono::seconds(30);
  options.max_idle_per_endpoint = 1;
  ConnPool pool(options);
  pool.put("a", connectionWithSlot());
  EXPECT_EQ(state_->inUse(Resource::kConnections), 1u)
      << "an idle connection is an open connection";
  pool.put("a", connectionWithSlot());  // over max_idle_per_endpoint: dropped
  EXPECT_EQ(state_->inUse(Resource::kConnections), 1u);
  EXPECT_FALSE(state_->tryAcquire(Resource::kConnections, limitsOf(1, 5, 5, 5)));
  pool.take("a").reset();
  EXPECT_EQ(state_->inUse(Resource::kConnections), 0u);
}

TEST_F(ConnectionSlotTest, PooledConnectionKeepsItsClusterStateAlive) {
  ConnPool pool(ConnPool::Options{});
  std::weak_ptr<ClusterState> weak = state_;
  pool.put("a", connectionWithSlot());
  state_.reset();  // every snapshot naming the cluster is gone
  ASSERT_FALSE(weak.expired());
  EXPECT_EQ(weak.lock()->inUse(Resource::kConnections), 1u);
  pool.take("a").reset();
  EXPECT_TRUE(weak.expired()) << "the last connection freed the state, slot released first";
}

}  // namespace
}  // namespace portico::dp::upstream
