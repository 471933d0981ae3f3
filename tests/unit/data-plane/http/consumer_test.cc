#include "data-plane/http/consumer.h"

#include <gtest/gtest.h>

#include "absl/strings/escaping.h"
#include "portico/filters/consumers/v1/consumers.pb.h"

namespace portico::dp::http {
namespace {

using portico::filters::consumers::v1::Consumers;

std::string hexHash(const std::string& key) { return absl::BytesToHexString(sha256(key)); }

TEST(ConsumerTableTest, LooksUpByKeyDigestAndName) {
  Consumers config;
  auto* app = config.add_consumers();
  app->set_name("app");
  app->add_groups("mobile");
  app->add_api_key_sha256(hexHash("k1"));
  app->add_api_key_sha256(absl::AsciiStrToUpper(hexHash("k2")));  // hex case does not matter
  config.add_consumers()->set_name("keyless");
  auto table = ConsumerTable::create(config);
  ASSERT_TRUE(table.ok()) << table.status();
  const ConsumerTable& t = **table;
  ASSERT_NE(t.byKeyHash(sha256("k1")), nullptr);
  EXPECT_EQ(t.byKeyHash(sha256("k1"))->name, "app");
  EXPECT_EQ(t.byKeyHash(sha256("k2")), t.byKeyHash(sha256("k1")));
  EXPECT_EQ(t.byKeyHash(sha256("k3")), nullptr);
  EXPECT_EQ(t.byKeyHash("k1"), nullptr) << "never the plaintext key";
  EXPECT_TRUE(t.byName("app")->inGroup("mobile"));
  EXPECT_FALSE(t.byName("app")->inGroup("partners"));
  EXPECT_NE(t.byName("keyless"), nullptr);
  EXPECT_EQ(t.byName("nobody"), nullptr);
}

TEST(ConsumerTableTest, RefusesBadTables) {
  Consumers dup_name;
  dup_name.add_consumers()->set_name("a");
  dup_name.add_consumers()->set_name("a");
  EXPECT_EQ(ConsumerTable::create(dup_name).status().message(), "consumers[1].name: \"a\" is used twice");

  Consumers bad_hash;
  auto* c = bad_hash.add_consumers();
  c->set_name("a");
  c->add_api_key_sha256("plaintext-key");
  EXPECT_EQ(ConsumerTable::create(bad_hash).status().message(),
            "consumers[0].api_key_sha256[0]: not a SHA-256 digest in hex (64 hex digits)");

  Consumers shared;
  shared.add_consumers()->set_name("a");
  shared.add_consumers()->set_name("b");
  shared.mutable_consumers(0)->add_api_key_sha256(hexHash("k"));
  shared.mutable_consumers(1)->add_api_key_sha256(hexHash("k"));
  EXPECT_EQ(ConsumerTable::create(shared).status().message(),
            "consumers[1].api_key_sha256[0]: the same key belongs to another consumer");

  Consumers unnamed;
  unnamed.add_consumers();
  EXPECT_EQ(ConsumerTable::create(unnamed).status().message(), "consumers[0].name: required");
}

TEST(ConsumerTest, OverrideForFindsTheChainPosition) {
  Consumer consumer;
  consumer.overrides.push_back({1, false, nullptr});
  consumer.overrides.push_back({4, true, nullptr});
  EXPECT_EQ(consumer.overrideFor(0), nullptr);
  ASSERT_NE(consumer.overrideFor(1), nullptr);
  EXPECT_FALSE(consumer.overrideFor(1)->disabled);
  EXPECT_TRUE(consumer.overrideFor(4)->disabled);
  EXPECT_EQ(consumer.overrideFor(5), nullptr);
}

}  // namespace
}  // namespace portico::dp::http
