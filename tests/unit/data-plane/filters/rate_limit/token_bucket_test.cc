#include "data-plane/filters/rate_limit/token_bucket.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "common/strings.h"
#include "data-plane/filters/rate_limit/bucket_table.h"

namespace portico::dp::filters::rate_limit {
namespace {

TEST(TokenBucketTest, StartsFullAndRefillsPerInterval) {
  const BucketShape shape{/*max_tokens=*/5, /*tokens_per_fill=*/2};
  TokenBucket bucket(shape, 0);
  uint64_t remaining = 0;
  for (uint64_t i = 0; i < 5; ++i) {
    ASSERT_TRUE(bucket.tryTake(shape, 0, remaining));
    EXPECT_EQ(remaining, 4 - i);
  }
  EXPECT_FALSE(bucket.tryTake(shape, 0, remaining));
  EXPECT_EQ(remaining, 0u);
  EXPECT_TRUE(bucket.tryTake(shape, 1, remaining)) << "one fill: 2 tokens";
  EXPECT_TRUE(bucket.tryTake(shape, 1, remaining));
  EXPECT_FALSE(bucket.tryTake(shape, 1, remaining));
  EXPECT_TRUE(bucket.tryTake(shape, 100, remaining)) << "many fills: capped at max";
  EXPECT_EQ(remaining, 4u);
  EXPECT_FALSE(bucket.isFull(shape, 100));
  EXPECT_TRUE(bucket.isFull(shape, 101));
}

TEST(TokenBucketTest, HugeGapsDoNotOverflow) {
  const BucketShape shape{uint64_t{1} << 39, uint64_t{1} << 39};
  TokenBucket bucket(shape, 0);
  uint64_t remaining = 0;
  ASSERT_TRUE(bucket.tryTake(shape, 0, remaining));
  ASSERT_TRUE(bucket.tryTake(shape, (uint64_t{1} << 24) - 1, remaining));
  EXPECT_EQ(remaining, (uint64_t{1} << 39) - 1);
}

// Eight threads race for 10,000 tokens of one bucket: exactly 10,000 are granted.
TEST(TokenBucketTest, ExactUnderConcurrency) {
  const BucketShape shape{10000, 10000};
  TokenBucket bucket(shape, 7);
  std::atomic<uint64_t> granted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      uint64_t remaining = 0;
      for (int i = 0; i < 5000; ++i) {
        if (bucket.tryTake(shape, 7, remaining)) granted.fetch_add(1);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(granted.load(), 10000u);
}

TEST(BucketTableTest, OneBucketPerKeyAndResetUntilTheNextFill) {
  BucketTable table(BucketShape{2, 2}, std::chrono::seconds(10));
  const auto now = BucketTable::Clock::now();
  EXPECT_TRUE(table.take("a", now).allowed);
  EXPECT_TRUE(table.take("a", now).allowed);
  const BucketTable::Decision refused = table.take("a", now);
  EXPECT_FALSE(refused.allowed);
  EXPECT_GT(refused.reset, std::chrono::seconds(0));
  EXPECT_LE(refused.reset, std::chrono::seconds(10));
  EXPECT_TRUE(table.take("b", now).allowed) << "another key, another bucket";
  EXPECT_TRUE(table.take("a", now + std::chrono::seconds(10)).allowed) << "refilled";
  EXPECT_EQ(table.size(), 2u);
}

TEST(BucketTableTest, FullBucketsAreDroppedWhenTheTableIsFull) {
  // 64 shards × 1 key each.
  BucketTable table(BucketShape{1, 1}, std::chrono::seconds(1), /*max_keys=*/64);
  const auto now = BucketTable::Clock::now();
  for (int i = 0; i < 500; ++i) table.take("key-" + std::to_string(i), now);
  EXPECT_LE(table.size(), 64u) << "bounded";
  // A second later every bucket is full again and may be dropped: new keys get buckets.
  const auto later = now + std::chrono::seconds(1);
  EXPECT_TRUE(table.take("fresh", later).allowed);
  EXPECT_LE(table.size(), 64u);
}

// Through the table (lookup and take under the key's shard lock): eight threads race for one
// key's 10,000 tokens while two others keep adding keys until every shard is full and new keys
// share the overflow bucket. Exactly 10,000 are granted for the key.
TEST(BucketTableTest, ExactUnderConcurrencyWhileTheTableFills) {
  BucketTable table(BucketShape{10000, 10000}, std::chrono::hours(1), /*max_keys=*/64);
  const auto now = BucketTable::Clock::now();
  std::atomic<uint64_t> granted{table.take("hot", now).allowed ? 1u : 0u};  // its shard's first key
  std::vector<std::thread> churn;
  for (int t = 0; t < 2; ++t) {
    churn.emplace_back([&, t] {
      for (int i = 0; i < 20000; ++i) table.take(cat("churn-", t, "-", i), now);
    });
  }
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 5000; ++i) {
        if (table.take("hot", now).allowed) granted.fetch_add(1);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (auto& thread : churn) thread.join();
  EXPECT_EQ(granted.load(), 10000u);
  EXPECT_EQ(table.size(), 64u) << "every shard holds its one key; the rest went to the overflow bucket";
}

}  // namespace
}  // namespace portico::dp::filters::rate_limit
