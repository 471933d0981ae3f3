// The Redis client against a real redis-server: pipelining, scripts, and what a request sees
// when Redis dies, stalls, comes back or was never there.

#include "data-plane/redis/client.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>

#include "data-plane/redis/command.h"
#include "tests/support/redis_server.h"
#include "tests/support/test_env.h"
#include "tests/unit/data-plane/redis/redis_test_util.h"

namespace portico::dp::redis {
namespace {

using namespace std::chrono_literals;
using testing::runAll;
using testing::runOne;

std::string encode(std::initializer_list<std::string_view> args) {
  std::string out;
  appendCommand(out, args);
  return out;
}

class RedisClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = portico::testing::RedisServer::start(portico::testing::makeTempDir("redis-client"));
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    auto client = privateClient(server_->address(), 1);
    ASSERT_TRUE(client.ok()) << client.status();
    client_ = std::move(*client);
  }

  absl::StatusOr<Reply> execute(std::string command, std::chrono::milliseconds timeout = 1000ms) {
    auto result = runOne(io_, client_->execute(0, std::move(command), timeout));
    if (!result.has_value()) return absl::DeadlineExceededError("the test's own 10 s bound passed");
    return std::move(*result);
  }

  boost::asio::io_context io_;
  std::unique_ptr<portico::testing::RedisServer> server_;
  std::shared_ptr<Client> client_;
};

TEST(RedisAddressTest, ParsesHostPortAndRefusesTheRest) {
  auto v4 = parseAddress("127.0.0.1:6379");
  ASSERT_TRUE(v4.ok());
  EXPECT_EQ(v4->host, "127.0.0.1");
  EXPECT_EQ(v4->port, "6379");
  auto v6 = parseAddress("[::1]:7000");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_TRUE(parseAddress("redis.internal:6379").ok());
  for (const char* bad : {"redis", "redis:", ":6379", "redis:0", "redis:70000", "redis:63x", "[::1]6379"}) {
    EXPECT_FALSE(parseAddress(bad).ok()) << bad;
  }
}

TEST(RedisCommandTest, EncodesRespArrays) {
  EXPECT_EQ(encode({"SET", "k", ""}), "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n");
  CommandBuilder builder;
  builder.arg("INCRBY").arg("counter").arg(int64_t{-12});
  EXPECT_EQ(builder.finish(), "*3\r\n$6\r\nINCRBY\r\n$7\r\ncounter\r\n$3\r\n-12\r\n");
}

TEST_F(RedisClientTest, AnswersCommandsOfEveryReplyType) {
  auto pong = execute(encode({"PING"}));
  ASSERT_TRUE(pong.ok()) << pong.status();
  EXPECT_EQ(pong->type, Reply::Type::kStatus);
  EXPECT_EQ(pong->text, "PONG");
  auto missing = execute(encode({"GET", "missing"}));
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->type, Reply::Type::kNil);
  ASSERT_TRUE(execute(encode({"RPUSH", "list", "a", "b"})).ok());
  auto list = execute(encode({"LRANGE", "list", "0", "-1"}));
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->type, Reply::Type::kArray);
  ASSERT_EQ(list->elements.size(), 2u);
  EXPECT_EQ(list->elements[1].text, "b");
  auto wrong = execute(encode({"INCR", "list"}));
  ASSERT_TRUE(wrong.ok()) << "a Redis error is a reply, not a failed command";
  EXPECT_TRUE(wrong->isError());
}

// 300 commands issued at once share the connection and come back in order: the n-th INCR
// issued sees the value n.
TEST_F(RedisClientTest, PipelinesConcurrentCommandsInOrder) {
  std::vector<net::Awaitable<absl::StatusOr<Reply>>> tasks;
  for (int i = 0; i < 300; ++i) tasks.push_back(client_->execute(0, encode({"INCR", "seq"}), 2000ms));
  auto results = runAll(io_, std::move(tasks));
  for (size_t i = 0; i < results.size(); ++i) {
    ASSERT_TRUE(results[i].has_value() && results[i]->ok()) << i;
    EXPECT_EQ((*results[i])->integer, static_cast<int64_t>(i + 1));
  }
  EXPECT_EQ(*server_->command({"GET", "seq"}), "300");
}

TEST_F(RedisClientTest, RunsScriptsByDigestAndAfterTheServerForgetsThem) {
  const Script script("return redis.call('INCRBY', KEYS[1], ARGV[1])");
  auto run = [&] {
    auto r = runOne(io_, client_->runScript(0, script, {"n"}, {"5"}, 1000ms));
    return r.has_value() ? std::move(*r) : absl::StatusOr<Reply>(absl::DeadlineExceededError("test bound"));
  };
  auto first = run();
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->integer, 5);
  ASSERT_TRUE(server_->command({"SCRIPT", "FLUSH"}).ok());
  auto second = run();
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->integer, 10);
  auto exists = server_->command({"SCRIPT", "EXISTS", script.sha1()});
  EXPECT_EQ(*exists, "1") << "loaded again by the EVAL fallback, under the digest we computed";

  const Script broken("return redis.call('NOSUCHCOMMAND')");
  auto failed = runOne(io_, client_->runScript(0, broken, {}, {}, 1000ms));
  ASSERT_TRUE(failed.has_value());
  EXPECT_EQ(failed->status().code(), absl::StatusCode::kInternal) << failed->status();
}

TEST_F(RedisClientTest, ServerKilledFailsFastThenRecoversWhenItReturns) {
  ASSERT_TRUE(execute(encode({"SET", "k", "v"})).ok());
  server_->kill();
  auto lost = execute(encode({"GET", "k"}));
  EXPECT_EQ(lost.status().code(), absl::StatusCode::kUnavailable) << lost.status();
  // Within the reconnect delay, commands fail at once instead of waiting for their timeout.
  const auto before = std::chrono::steady_clock::now();
  auto fast = execute(encode({"GET", "k"}), 5000ms);
  EXPECT_EQ(fast.status().code(), absl::StatusCode::kUnavailable) << fast.status();
  EXPECT_LT(std::chrono::steady_clock::now() - before, 4000ms) << "not the 5 s command timeout";

  ASSERT_TRUE(server_->restart().ok()) << server_->logTail();
  const bool recovered = portico::testing::waitUntil(
      [&] {
        auto r = execute(encode({"PING"}), 500ms);
        return r.ok() && r->text == "PONG";
      },
      absl::Seconds(10), absl::Milliseconds(100));
  EXPECT_TRUE(recovered) << "the client reconnects once the server is back";
}

TEST_F(RedisClientTest, StalledServerTimesOutAndDropsTheConnection) {
  ASSERT_TRUE(execute(encode({"PING"})).ok());
  server_->pause();
  auto slow = execute(encode({"PING"}), 100ms);
  EXPECT_EQ(slow.status().code(), absl::StatusCode::kDeadlineExceeded) << slow.status();
  auto next = execute(encode({"PING"}), 100ms);
  EXPECT_EQ(next.status().code(), absl::StatusCode::kUnavailable)
      << "the stalled connection was dropped: " << next.status();
  server_->resume();
  const bool recovered = portico::testing::waitUntil(
      [&] { return execute(encode({"PING"}), 500ms).ok(); }, absl::Seconds(10), absl::Milliseconds(100));
  EXPECT_TRUE(recovered);
}

TEST_F(RedisClientTest, NothingListeningIsUnavailable) {
  auto client = privateClient("127.0.0.1:" + std::to_string(portico::testing::pickFreePort()), 1);
  ASSERT_TRUE(client.ok());
  auto r = runOne(io_, (*client)->execute(0, encode({"PING"}), 1000ms));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status().code(), absl::StatusCode::kUnavailable) << r->status();
}

}  // namespace
}  // namespace portico::dp::redis
