#include "control-plane/registry/purge_log.h"

#include <gtest/gtest.h>

namespace portico::cp::registry {
namespace {

std::vector<uint64_t> ids(const PurgeList& list) {
  std::vector<uint64_t> out;
  for (const CachePurge& purge : list.purges) out.push_back(purge.id);
  return out;
}

TEST(PurgeLogTest, IdsCountUpAndTheOldestRollOff) {
  PurgeLog log(PurgeLog::Options{3, 5, nullptr});
  int changes = 0;
  log.setOnChange([&changes] { ++changes; });
  for (int i = 0; i < 5; ++i) log.add("r", "");
  EXPECT_EQ(changes, 5);
  const PurgeList list = log.list();
  EXPECT_EQ(list.epoch, 5u);
  EXPECT_EQ(ids(list), (std::vector<uint64_t>{3, 4, 5}));
  const CachePurge next = log.add("", "/a");
  EXPECT_EQ(next.id, 6u);
  EXPECT_EQ(next.path_prefix, "/a");
}

TEST(PurgeLogTest, EachProcessDrawsItsOwnNonZeroEpoch) {
  PurgeLog a;
  PurgeLog b;
  EXPECT_NE(a.epoch(), 0u);
  EXPECT_NE(a.epoch(), b.epoch());
  EXPECT_LT(a.epoch(), uint64_t{1} << 53);
}

TEST(PurgeLogTest, Validation) {
  EXPECT_TRUE(validatePurge("", "").ok());
  EXPECT_TRUE(validatePurge("users", "/users/%20x").ok());
  EXPECT_EQ(validatePurge("", "users").message(), "prefix: \"users\" must start with '/'");
  EXPECT_FALSE(validatePurge(std::string(257, 'r'), "").ok());
  EXPECT_FALSE(validatePurge("", "/" + std::string(2048, 'p')).ok());
}

}  // namespace
}  // namespace portico::cp::registry
