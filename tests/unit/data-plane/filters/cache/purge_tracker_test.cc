#include "data-plane/filters/cache/purge_tracker.h"

#include <gtest/gtest.h>

namespace portico::dp::filters::cache {
namespace {

std::vector<PurgeCommand> ids(uint64_t first, uint64_t last) {
  std::vector<PurgeCommand> out;
  for (uint64_t id = first; id <= last; ++id) out.push_back(PurgeCommand{id, PurgeMatch{"r", ""}});
  return out;
}

std::vector<uint64_t> applied(const PurgePlan& plan) {
  std::vector<uint64_t> out;
  for (const PurgeCommand& command : plan.commands) out.push_back(command.id);
  return out;
}

TEST(PurgeTrackerTest, ANewEpochAppliesEverythingListed) {
  PurgeTracker tracker;
  const PurgePlan plan = tracker.next(7, ids(3, 5));
  EXPECT_FALSE(plan.purge_all);
  EXPECT_EQ(applied(plan), (std::vector<uint64_t>{3, 4, 5}));
  EXPECT_EQ(tracker.lastApplied(), 5u);
}

TEST(PurgeTrackerTest, TheSameListAgainAppliesNothing) {
  PurgeTracker tracker;
  tracker.next(7, ids(1, 2));
  EXPECT_TRUE(tracker.next(7, ids(1, 2)).empty());
  EXPECT_TRUE(tracker.next(7, {}).empty());
}

TEST(PurgeTrackerTest, OnlyNewIdsAreApplied) {
  PurgeTracker tracker;
  tracker.next(7, ids(1, 2));
  EXPECT_EQ(applied(tracker.next(7, ids(1, 4))), (std::vector<uint64_t>{3, 4}));
  EXPECT_EQ(applied(tracker.next(7, ids(2, 5))), (std::vector<uint64_t>{5})) << "the list rolled, nothing missed";
}

TEST(PurgeTrackerTest, AGapPurgesEverything) {
  PurgeTracker tracker;
  tracker.next(7, ids(1, 2));
  const PurgePlan plan = tracker.next(7, ids(5, 9));  // 3 and 4 rolled off while away
  EXPECT_TRUE(plan.purge_all);
  EXPECT_TRUE(plan.commands.empty());
  EXPECT_EQ(tracker.lastApplied(), 9u);
  EXPECT_EQ(applied(tracker.next(7, ids(5, 10))), (std::vector<uint64_t>{10}));
}

TEST(PurgeTrackerTest, ARestartedControlPlaneStartsANewEpoch) {
  PurgeTracker tracker;
  tracker.next(7, ids(1, 40));
  EXPECT_EQ(applied(tracker.next(8, ids(1, 1))), (std::vector<uint64_t>{1}));
  EXPECT_EQ(tracker.epoch(), 8u);
}

TEST(PurgeTrackerTest, EpochZeroIsIgnored) {
  PurgeTracker tracker;
  EXPECT_TRUE(tracker.next(0, ids(1, 3)).empty());
  EXPECT_EQ(tracker.epoch(), 0u);
}

}  // namespace
}  // namespace portico::dp::filters::cache
