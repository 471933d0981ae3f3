#include "control-plane/registry/memory_store.h"

#include <gtest/gtest.h>

#include "absl/time/time.h"

namespace portico::cp::registry {
namespace {

Instance makeInstance(const std::string& service, const std::string& id,
                      uint32_t ttl_seconds = 10) {
  Instance instance;
  instance.set_service(service);
  instance.set_id(id);
  instance.set_address("10.0.0.1");
  instance.set_port(8080);
  instance.set_weight(1);
  instance.set_ttl_seconds(ttl_seconds);
  return instance;
}

// A store on a hand-driven clock that counts onChange calls.
class MemoryStoreTest : public ::testing::Test {
 protected:
  MemoryStoreTest() : store_([this] { return now_; }) {
    store_.setOnChange([this] { ++changes_; });
  }
  void advance(absl::Duration d) { now_ += d; }
  int64_t nowMs() const { return absl::ToUnixMillis(now_); }
  void upsert(const Instance& instance) { ASSERT_TRUE(store_.upsert(instance).ok()); }

  absl::Time now_ = absl::FromUnixSeconds(1'700'000'000);
  MemoryStore store_;
  int changes_ = 0;
};

TEST_F(MemoryStoreTest, UpsertReportsCreatedThenReplaced) {
  auto first = store_.upsert(makeInstance("orders", "o-1"));
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_TRUE(first->created);
  EXPECT_EQ(first->instance.expires_unix_ms(), nowMs() + 10'000);

  Instance changed = makeInstance("orders", "o-1");
  changed.set_port(9090);
  advance(absl::Seconds(3));
  auto second = store_.upsert(changed);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_FALSE(second->created);
  EXPECT_EQ(second->instance.port(), 9090u);
  EXPECT_EQ(second->instance.expires_unix_ms(), nowMs() + 10'000);

  std::vector<Instance> listed = store_.list("orders");
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].port(), 9090u);
}

TEST_F(MemoryStoreTest, SameIdInAnotherServiceIsAnotherInstance) {
  upsert(makeInstance("orders", "x"));
  auto other = store_.upsert(makeInstance("users", "x"));
  ASSERT_TRUE(other.ok());
  EXPECT_TRUE(other->created);
  EXPECT_EQ(store_.list("").size(), 2u);
}

TEST_F(MemoryStoreTest, ExpireRemovesOnlyExpiredInstances) {
  upsert(makeInstance("orders", "short", 10));
  upsert(makeInstance("orders", "long", 30));
  upsert(makeInstance("users", "u-1", 20));

  EXPECT_EQ(store_.expire(now_ + absl::Seconds(9)), 0);
  // A lease ends at its expiry instant: "at or before now" is expired.
  EXPECT_EQ(store_.expire(now_ + absl::Seconds(10)), 1);
  std::vector<Instance> left = store_.list("");
  ASSERT_EQ(left.size(), 2u);
  EXPECT_EQ(left[0].id(), "long");
  EXPECT_EQ(left[1].id(), "u-1");

  EXPECT_EQ(store_.expire(now_ + absl::Seconds(25)), 1);
  ASSERT_EQ(store_.list("").size(), 1u);
  EXPECT_EQ(store_.list("")[0].id(), "long");
}

TEST_F(MemoryStoreTest, HeartbeatExtendsTheLease) {
  upsert(makeInstance("orders", "o-1", 10));
  advance(absl::Seconds(8));
  auto beat = store_.heartbeat("orders", "o-1");
  ASSERT_TRUE(beat.ok()) << beat.status();
  EXPECT_EQ(beat->expires_unix_ms(), nowMs() + 10'000);
  EXPECT_EQ(beat->ttl_seconds(), 10u);

  // The original lease (t0 + 10 s) has passed, the renewed one (t0 + 18 s) has not.
  EXPECT_EQ(store_.expire(now_ + absl::Seconds(5)), 0);
  EXPECT_EQ(store_.list("orders").size(), 1u);
  EXPECT_EQ(store_.expire(now_ + absl::Seconds(10)), 1);
  EXPECT_TRUE(store_.list("orders").empty());
}

TEST_F(MemoryStoreTest, HeartbeatOfUnknownIsNotFound) {
  auto beat = store_.heartbeat("orders", "ghost");
  ASSERT_FALSE(beat.ok());
  EXPECT_EQ(beat.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(beat.status().message(),
            "instance \"ghost\" of service \"orders\" is not registered (expired or never "
            "registered); register it again");
}

TEST_F(MemoryStoreTest, HeartbeatAfterExpiryIsNotFound) {
  upsert(makeInstance("orders", "o-1", 10));
  advance(absl::Seconds(10));
  EXPECT_EQ(store_.expire(now_), 1);
  EXPECT_EQ(store_.heartbeat("orders", "o-1").status().code(), absl::StatusCode::kNotFound);
}

TEST_F(MemoryStoreTest, RemoveOfUnknownIsNotFound) {
  upsert(makeInstance("orders", "o-1"));
  absl::Status status = store_.remove("orders", "o-2");
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(status.message(), "instance \"o-2\" of service \"orders\" is not registered");
  EXPECT_EQ(store_.remove("users", "o-1").code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store_.list("").size(), 1u);
}

TEST_F(MemoryStoreTest, RemoveDeletes) {
  upsert(makeInstance("orders", "o-1"));
  upsert(makeInstance("orders", "o-2"));
  EXPECT_TRUE(store_.remove("orders", "o-1").ok());
  std::vector<Instance> left = store_.list("orders");
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].id(), "o-2");
}

TEST_F(MemoryStoreTest, OnChangeOnUpsertRemoveExpireButNotHeartbeat) {
  upsert(makeInstance("orders", "o-1", 10));
  EXPECT_EQ(changes_, 1);
  upsert(makeInstance("orders", "o-1", 10));  // replace
  EXPECT_EQ(changes_, 2);
  upsert(makeInstance("orders", "o-2", 60));
  EXPECT_EQ(changes_, 3);

  ASSERT_TRUE(store_.heartbeat("orders", "o-1").ok());
  EXPECT_EQ(changes_, 3);
  EXPECT_FALSE(store_.heartbeat("orders", "nope").ok());
  EXPECT_EQ(changes_, 3);

  EXPECT_EQ(store_.expire(now_ + absl::Seconds(1)), 0);  // nothing expired: no change
  EXPECT_EQ(changes_, 3);
  EXPECT_EQ(store_.expire(now_ + absl::Seconds(10)), 1);
  EXPECT_EQ(changes_, 4);

  EXPECT_FALSE(store_.remove("orders", "o-1").ok());  // already gone: no change
  EXPECT_EQ(changes_, 4);
  EXPECT_TRUE(store_.remove("orders", "o-2").ok());
  EXPECT_EQ(changes_, 5);
}

TEST_F(MemoryStoreTest, StateAndListAreSorted) {
  upsert(makeInstance("users", "b"));
  upsert(makeInstance("orders", "z"));
  upsert(makeInstance("orders", "a"));
  upsert(makeInstance("users", "a"));
  upsert(makeInstance("billing", "m"));

  RegistryState state = store_.state();
  std::vector<std::string> services;
  for (const auto& [service, instances] : state) {
    services.push_back(service);
  }
  EXPECT_EQ(services, (std::vector<std::string>{"billing", "orders", "users"}));
  ASSERT_EQ(state["orders"].size(), 2u);
  EXPECT_EQ(state["orders"][0].id(), "a");
  EXPECT_EQ(state["orders"][1].id(), "z");
  ASSERT_EQ(state["users"].size(), 2u);
  EXPECT_EQ(state["users"][0].id(), "a");
  EXPECT_EQ(state["users"][1].id(), "b");

  std::vector<std::string> all;
  for (const Instance& instance : store_.list("")) {
    all.push_back(instance.service() + "/" + instance.id());
  }
  EXPECT_EQ(all,
            (std::vector<std::string>{"billing/m", "orders/a", "orders/z", "users/a", "users/b"}));
  EXPECT_EQ(store_.list("orders").size(), 2u);
  EXPECT_TRUE(store_.list("unknown").empty());
}

TEST(MemoryStoreDefaultClockTest, UsesWallClockWhenNoneInjected) {
  MemoryStore store;
  Instance instance = makeInstance("orders", "o-1", 30);
  const int64_t before = absl::ToUnixMillis(absl::Now());
  auto result = store.upsert(instance);
  ASSERT_TRUE(result.ok());
  EXPECT_GE(result->instance.expires_unix_ms(), before + 30'000);
  EXPECT_EQ(store.expire(absl::Now()), 0);
  EXPECT_EQ(store.expire(absl::Now() + absl::Seconds(31)), 1);
}

}  // namespace
}  // namespace portico::cp::registry
