#include "data-plane/filters/cache/response_store.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <thread>

namespace portico::dp::filters::cache {
namespace {

using std::chrono::seconds;

const Clock::time_point kT0 = Clock::time_point() + std::chrono::hours(1);

CacheEntryPtr entry(size_t body_bytes, Clock::time_point expires = kT0 + seconds(60), std::string route = "r",
                    std::string path = "/a") {
  auto out = std::make_shared<CacheEntry>();
  out->stored_at = kT0;
  out->expires_at = expires;
  out->route = std::move(route);
  out->path = std::move(path);
  out->response.body.assign(body_bytes, 'x');
  return out;
}

// The bytes one entry of `body` bytes under a one-character key is charged.
size_t chargeOf(size_t body_bytes) {
  return 1 + entry(body_bytes)->charge() + ResponseStore::kEntryOverhead;
}

TEST(ResponseStoreTest, StoresFindsAndExpires) {
  ResponseStore store(1 << 20);
  EXPECT_EQ(store.lookup("k", kT0, false).entry, nullptr);
  ASSERT_EQ(store.insert("k", entry(10, kT0 + seconds(30)), store.generation()), ResponseStore::InsertResult::kStored);
  EXPECT_EQ(store.entries(), 1u);
  EXPECT_EQ(store.bytes(), chargeOf(10));
  ASSERT_NE(store.lookup("k", kT0 + seconds(29), false).entry, nullptr);
  EXPECT_EQ(store.lookup("k", kT0 + seconds(30), false).entry, nullptr) << "expired at expires_at";
  EXPECT_EQ(store.entries(), 0u) << "an expired entry is removed when found";
  EXPECT_EQ(store.bytes(), 0u);
}

TEST(ResponseStoreTest, ReplacingAnEntryKeepsTheAccountExact) {
  ResponseStore store(1 << 20);
  store.insert("k", entry(10), 0);
  store.insert("k", entry(50), 0);
  EXPECT_EQ(store.entries(), 1u);
  EXPECT_EQ(store.bytes(), chargeOf(50));
  EXPECT_EQ(store.lookup("k", kT0, false).entry->response.body.size(), 50u);
}

TEST(ResponseStoreTest, EvictsLeastRecentlyUsedByBytes) {
  // Keys that land in one shard, so the LRU order is exact.
  std::vector<std::string> keys;
  for (int i = 0; keys.size() < 4; ++i) {
    std::string key(1, static_cast<char>('a' + i));
    if (absl::Hash<absl::string_view>{}(key) % ResponseStore::kShards ==
        absl::Hash<absl::string_view>{}("a") % ResponseStore::kShards) {
      keys.push_back(key);
    }
    ASSERT_LT(i, 10000);
  }
  ResponseStore store(3 * chargeOf(100));  // room for three
  for (int i = 0; i < 3; ++i) store.insert(keys[i], entry(100), 0);
  EXPECT_EQ(store.entries(), 3u);
  ASSERT_NE(store.lookup(keys[0], kT0, false).entry, nullptr);  // keys[0] is now the most recent
  size_t evicted = 0;
  store.insert(keys[3], entry(100), 0, &evicted);
  EXPECT_EQ(evicted, 1u);
  EXPECT_EQ(store.evictions(), 1u);
  EXPECT_EQ(store.lookup(keys[1], kT0, false).entry, nullptr) << "the least recently used went";
  EXPECT_NE(store.lookup(keys[0], kT0, false).entry, nullptr);
  EXPECT_NE(store.lookup(keys[2], kT0, false).entry, nullptr);
  EXPECT_NE(store.lookup(keys[3], kT0, false).entry, nullptr);
  EXPECT_LE(store.bytes(), store.capacity());
}

TEST(ResponseStoreTest, TheBudgetHoldsAcrossShards) {
  ResponseStore store(10 * chargeOf(1000));
  for (int i = 0; i < 200; ++i) store.insert("key-" + std::to_string(i), entry(1000), 0);
  EXPECT_LE(store.bytes(), store.capacity());
  EXPECT_GE(store.entries(), 9u);
  EXPECT_LE(store.entries(), 10u);
  EXPECT_EQ(store.evictions(), 200u - store.entries());
}

TEST(ResponseStoreTest, TooLargeForTheWholeCacheIsRefused) {
  ResponseStore store(1000);
  EXPECT_EQ(store.insert("k", entry(2000), 0), ResponseStore::InsertResult::kTooLarge);
  EXPECT_EQ(store.entries(), 0u);
}

TEST(ResponseStoreTest, ShrinkingTheCapacityEvictsAndZeroEmpties) {
  ResponseStore store(1 << 20);
  for (int i = 0; i < 10; ++i) store.insert("key-" + std::to_string(i), entry(1000), 0);
  EXPECT_EQ(store.entries(), 10u);
  store.setCapacity(3 * chargeOf(1000) + 100);
  EXPECT_LE(store.bytes(), store.capacity());
  EXPECT_LE(store.entries(), 3u);
  store.setCapacity(0);
  EXPECT_EQ(store.entries(), 0u);
  EXPECT_EQ(store.bytes(), 0u);
}

TEST(ResponseStoreTest, PurgeByRouteAndPrefixAndAll) {
  ResponseStore store(1 << 20);
  store.insert("1", entry(1, kT0 + seconds(60), "users", "/users/1"), 0);
  store.insert("2", entry(1, kT0 + seconds(60), "users", "/users/2"), 0);
  store.insert("3", entry(1, kT0 + seconds(60), "orders", "/orders/1"), 0);
  store.insert("4", entry(1, kT0 + seconds(60), "orders", "/users/x"), 0);
  EXPECT_EQ(store.purge(PurgeMatch{"users", "/users/1"}), 1u);
  EXPECT_EQ(store.lookup("1", kT0, false).entry, nullptr);
  EXPECT_EQ(store.purge(PurgeMatch{"", "/users"}), 2u) << "a prefix alone spans routes";
  EXPECT_EQ(store.purge(PurgeMatch{"nope", ""}), 0u);
  EXPECT_EQ(store.purge(PurgeMatch{}), 1u) << "no route, no prefix: everything";
  EXPECT_EQ(store.entries(), 0u);
}

TEST(ResponseStoreTest, AnInsertStartedBeforeAPurgeIsDropped) {
  ResponseStore store(1 << 20);
  const uint64_t before = store.generation();
  store.purge(PurgeMatch{"other-route", ""});
  EXPECT_EQ(store.insert("k", entry(1), before), ResponseStore::InsertResult::kPurged);
  EXPECT_EQ(store.insert("k", entry(1), store.generation()), ResponseStore::InsertResult::kStored);
}

TEST(ResponseStoreTest, TheFirstMissLeadsTheOthersJoinUntilItFinishes) {
  ResponseStore store(1 << 20);
  ResponseStore::Lookup first = store.lookup("k", kT0, true);
  ASSERT_NE(first.fill, nullptr);
  EXPECT_TRUE(first.leader);
  ResponseStore::Lookup second = store.lookup("k", kT0, true);
  EXPECT_EQ(second.fill, first.fill);
  EXPECT_FALSE(second.leader);
  EXPECT_EQ(store.lookup("other", kT0, true).fill == first.fill, false);
  store.finishFill("k", first.fill);
  EXPECT_TRUE(first.fill->finished());
  ResponseStore::Lookup third = store.lookup("k", kT0, true);
  EXPECT_TRUE(third.leader) << "a finished fill leaves: the next miss leads a new one";
  EXPECT_NE(third.fill, first.fill);
  // A stale leader finishing late does not end the new fill.
  store.finishFill("k", first.fill);
  EXPECT_FALSE(third.fill->finished());
  EXPECT_EQ(store.lookup("k", kT0, true).fill, third.fill);
}

TEST(ResponseStoreTest, AFoundEntryStartsNoFill) {
  ResponseStore store(1 << 20);
  store.insert("k", entry(1), 0);
  ResponseStore::Lookup found = store.lookup("k", kT0, true);
  EXPECT_NE(found.entry, nullptr);
  EXPECT_EQ(found.fill, nullptr);
  EXPECT_FALSE(found.leader);
}

// Workers hammering one store: the byte account stays exact and within budget.
TEST(ResponseStoreTest, ConcurrentInsertsLookupsAndPurgesKeepTheAccount) {
  ResponseStore store(200 * chargeOf(500));
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&store, t] {
      for (int i = 0; i < 5000; ++i) {
        char key[8];
        std::snprintf(key, sizeof(key), "k%03d", (i * 7 + t) % 400);  // 4 characters each
        if (store.lookup(key, kT0, false).entry == nullptr) store.insert(key, entry(500), store.generation());
        if (i % 1000 == 999 && t == 0) store.purge(PurgeMatch{"", "/a"});
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_LE(store.bytes(), store.capacity());
  EXPECT_EQ(store.bytes(), store.entries() * (chargeOf(500) + 3)) << "4-character keys, 1 in chargeOf";
}

}  // namespace
}  // namespace portico::dp::filters::cache
