#include "control-plane/registry/revocation_store.h"

#include <gtest/gtest.h>

#include <string>

namespace portico::cp::registry {
namespace {

constexpr int64_t kNow = 1'800'000'000;  // 2027-01-15

class RevocationStoreTest : public ::testing::Test {
 protected:
  RevocationStore::Options options(size_t max_entries = kMaxRevocations) {
    RevocationStore::Options out;
    out.max_entries = max_entries;
    out.clock = [this] { return now_; };
    return out;
  }
  absl::Time now_ = absl::FromUnixSeconds(kNow);
};

std::vector<std::string> jtis(const RevocationList& list) {
  std::vector<std::string> out;
  for (const RevokedToken& token : list) out.push_back(token.jti);
  return out;
}

TEST_F(RevocationStoreTest, ListsSortedByJtiAndReplacesExpiry) {
  RevocationStore store(options());
  int changes = 0;
  store.setOnChange([&changes] { ++changes; });
  auto first = store.add("zeta", 0);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_TRUE(first->created);
  EXPECT_EQ(first->token.revoked_at, now_);
  ASSERT_TRUE(store.add("alpha", kNow + 60).ok());
  ASSERT_TRUE(store.add("mid", kNow + 30).ok());
  EXPECT_EQ(jtis(store.list()), (std::vector<std::string>{"alpha", "mid", "zeta"}));

  auto again = store.add("alpha", kNow + 3600);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->created);
  EXPECT_EQ(store.list().front().expires_at, kNow + 3600);
  EXPECT_EQ(store.size(), 3u);
  EXPECT_EQ(changes, 4);
}

TEST_F(RevocationStoreTest, RemoveKnownAndUnknown) {
  RevocationStore store(options());
  ASSERT_TRUE(store.add("a", 0).ok());
  EXPECT_TRUE(store.remove("a").ok());
  absl::Status again = store.remove("a");
  EXPECT_EQ(again.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(again.message(), "jti \"a\" is not revoked");
  EXPECT_TRUE(store.list().empty());
}

TEST_F(RevocationStoreTest, ExpireDropsEntriesOnlyAfterTheGrace) {
  RevocationStore store(options());
  int changes = 0;
  store.setOnChange([&changes] { ++changes; });
  ASSERT_TRUE(store.add("soon", kNow + 10).ok());
  ASSERT_TRUE(store.add("later", kNow + 1000).ok());
  ASSERT_TRUE(store.add("forever", 0).ok());
  changes = 0;

  now_ = absl::FromUnixSeconds(kNow + 10);  // exp reached, but a verifier allows 60 s of skew
  EXPECT_EQ(store.expire(), 0);
  EXPECT_EQ(changes, 0) << "nothing removed, nothing to push";
  now_ = absl::FromUnixSeconds(kNow + 10 + 59);
  EXPECT_EQ(store.expire(), 0);
  now_ = absl::FromUnixSeconds(kNow + 10 + 60);
  EXPECT_EQ(store.expire(), 1);
  EXPECT_EQ(changes, 1);
  EXPECT_EQ(jtis(store.list()), (std::vector<std::string>{"forever", "later"}));

  store.setGrace(absl::Minutes(10));  // a config with clock_skew: 10m
  now_ = absl::FromUnixSeconds(kNow + 1000 + 300);
  EXPECT_EQ(store.expire(), 0);
  now_ = absl::FromUnixSeconds(kNow + 1000 + 600);
  EXPECT_EQ(store.expire(), 1);
  EXPECT_EQ(jtis(store.list()), (std::vector<std::string>{"forever"}));
}

TEST_F(RevocationStoreTest, RefusesAnExpiryAlreadyPastTheGrace) {
  RevocationStore store(options());
  auto result = store.add("old", kNow - 61);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(result.status().message(),
            "expires_at: 2027-01-15T07:58:59Z has passed (more than the clock-skew allowance of 1m ago): "
            "the token's exp claim refuses it already");
  // Within the allowance the token may still be accepted somewhere: revoke it.
  EXPECT_TRUE(store.add("recent", kNow - 30).ok());
  EXPECT_EQ(store.size(), 1u);
}

TEST_F(RevocationStoreTest, RefusesBadJtis) {
  RevocationStore store(options());
  EXPECT_EQ(store.add("", 0).status().message(), "jti: must not be empty");
  EXPECT_EQ(store.add(std::string(257, 'x'), 0).status().message(), "jti: 257 bytes is too long (at most 256)");
  EXPECT_TRUE(store.add(std::string(256, 'x'), 0).ok());
  EXPECT_EQ(store.add("a\nb", 0).status().message(), "jti: control characters are not allowed");
  EXPECT_EQ(store.add("a\x7f", 0).status().message(), "jti: control characters are not allowed");
  EXPECT_EQ(store.add("a", -1).status().message(),
            "expires_at: -1 is out of range (1..253402300799, or absent for no expiry)");
  EXPECT_EQ(store.size(), 1u);
}

TEST_F(RevocationStoreTest, FullListRefusesNewEntriesButUpdatesExisting) {
  RevocationStore store(options(2));
  ASSERT_TRUE(store.add("a", 0).ok());
  ASSERT_TRUE(store.add("b", kNow + 5).ok());
  auto full = store.add("c", 0);
  ASSERT_FALSE(full.ok());
  EXPECT_EQ(full.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(full.status().message(),
            "the revocation list is full (2 entries); remove entries, or wait for entries past their "
            "expires_at to be dropped");
  EXPECT_TRUE(store.add("a", kNow + 100).ok()) << "an existing entry can still change";
  now_ = absl::FromUnixSeconds(kNow + 5 + 60);
  EXPECT_EQ(store.expire(), 1);
  EXPECT_TRUE(store.add("c", 0).ok()) << "room again after the purge";
}

}  // namespace
}  // namespace portico::cp::registry
