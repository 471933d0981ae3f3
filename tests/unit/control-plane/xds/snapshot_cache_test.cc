#include "control-plane/xds/snapshot_cache.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "envoy/config/cluster/v3/cluster.pb.h"

namespace portico::cp::xds {
namespace {

SnapshotPtr snapshotWithCluster(const std::string& name) {
  envoy::config::cluster::v3::Cluster cluster;
  cluster.set_name(name);
  std::array<Snapshot::Map, portico::xds::kResourceTypeCount> maps;
  maps[portico::xds::typeIndex(ResourceType::kCluster)][name] = makeResource(cluster, name);
  return std::make_shared<const Snapshot>(std::move(maps));
}

class RecordingWatcher : public SnapshotWatcher {
 public:
  void onSnapshot(const std::string& group, const SnapshotPtr& snapshot) override {
    calls.emplace_back(group, snapshot);
  }
  std::vector<std::pair<std::string, SnapshotPtr>> calls;
};

TEST(SnapshotCacheTest, GetBeforeAnySetIsNull) {
  SnapshotCache cache;
  EXPECT_EQ(cache.get("default"), nullptr);
  EXPECT_EQ(cache.get("web"), nullptr);
}

TEST(SnapshotCacheTest, UnknownGroupFallsBackToDefault) {
  SnapshotCache cache;
  SnapshotPtr defaults = snapshotWithCluster("a");
  cache.set(kDefaultGroup, defaults);
  EXPECT_EQ(cache.get("default"), defaults);
  EXPECT_EQ(cache.get("web"), defaults);

  SnapshotPtr web = snapshotWithCluster("w");
  cache.set("web", web);
  EXPECT_EQ(cache.get("web"), web);
  EXPECT_EQ(cache.get("mobile"), defaults);
}

TEST(SnapshotCacheTest, OwnGroupWithoutDefault) {
  SnapshotCache cache;
  SnapshotPtr web = snapshotWithCluster("w");
  cache.set("web", web);
  EXPECT_EQ(cache.get("web"), web);
  EXPECT_EQ(cache.get("mobile"), nullptr);
}

TEST(SnapshotCacheTest, WatchersAreNotifiedOnSet) {
  SnapshotCache cache;
  RecordingWatcher on_default;
  RecordingWatcher on_web;
  cache.add(&on_default, "default");
  cache.add(&on_web, "web");

  SnapshotPtr first = snapshotWithCluster("a");
  cache.set(kDefaultGroup, first);
  ASSERT_EQ(on_default.calls.size(), 1u);
  EXPECT_EQ(on_default.calls[0].first, "default");
  EXPECT_EQ(on_default.calls[0].second, first);
  // "web" has no snapshot of its own: it is served the default one and told so.
  ASSERT_EQ(on_web.calls.size(), 1u);
  EXPECT_EQ(on_web.calls[0].second, first);

  SnapshotPtr web = snapshotWithCluster("w");
  cache.set("web", web);
  ASSERT_EQ(on_web.calls.size(), 2u);
  EXPECT_EQ(on_web.calls[1].first, "web");
  EXPECT_EQ(on_web.calls[1].second, web);
  EXPECT_EQ(on_default.calls.size(), 1u);

  // Once "web" has its own snapshot, default changes no longer reach it.
  cache.set(kDefaultGroup, snapshotWithCluster("b"));
  EXPECT_EQ(on_default.calls.size(), 2u);
  EXPECT_EQ(on_web.calls.size(), 2u);
}

TEST(SnapshotCacheTest, OtherGroupsAreNotNotified) {
  SnapshotCache cache;
  RecordingWatcher on_mobile;
  cache.add(&on_mobile, "mobile");
  cache.set("web", snapshotWithCluster("w"));
  EXPECT_TRUE(on_mobile.calls.empty());
}

TEST(SnapshotCacheTest, RemoveStopsNotifications) {
  SnapshotCache cache;
  RecordingWatcher watcher;
  RecordingWatcher other;
  cache.add(&watcher, "default");
  cache.add(&other, "default");
  cache.set(kDefaultGroup, snapshotWithCluster("a"));
  ASSERT_EQ(watcher.calls.size(), 1u);
  cache.remove(&watcher);
  cache.set(kDefaultGroup, snapshotWithCluster("b"));
  EXPECT_EQ(watcher.calls.size(), 1u);
  EXPECT_EQ(other.calls.size(), 2u);
  cache.remove(&watcher);  // removing twice is harmless
}

TEST(SnapshotTest, VersionsTrackContent) {
  SnapshotPtr a = snapshotWithCluster("a");
  SnapshotPtr a_again = snapshotWithCluster("a");
  SnapshotPtr b = snapshotWithCluster("b");
  EXPECT_EQ(a->version(ResourceType::kCluster), a_again->version(ResourceType::kCluster));
  EXPECT_NE(a->version(ResourceType::kCluster), b->version(ResourceType::kCluster));
  EXPECT_EQ(a->version(ResourceType::kListener),
            b->version(ResourceType::kListener));  // both empty
  ASSERT_NE(a->find(ResourceType::kCluster, "a"), nullptr);
  EXPECT_EQ(a->find(ResourceType::kCluster, "b"), nullptr);
  EXPECT_EQ(a->find(ResourceType::kCluster, "a")->body.type_url(), portico::xds::kClusterType);
  EXPECT_EQ(a->find(ResourceType::kCluster, "a")->version.size(), 16u);
}

}  // namespace
}  // namespace portico::cp::xds
