// The cache purge log in the cache filter's filter-level config: epoch and purges in order, in
// every listener of every group that runs the cache plugin, nowhere else, next to the plugin's
// own settings, and part of the listener's content version (a purge is a push).

#include <gtest/gtest.h>

#include "common/strings.h"
#include "portico/filters/cache/v1/cache.pb.h"
#include "tests/unit/control-plane/translator/translator_test_util.h"

namespace portico::cp::translator::test {
namespace {

using portico::filters::cache::v1::Cache;

constexpr char kCacheFilter[] = "portico.filters.http.cache";

// Group "web" runs the cache (a plugin limited to it), group "mobile" does not.
constexpr char kConfig[] =
    "listeners:\n"
    "  - { name: web, address: 127.0.0.1, port: 8080 }\n"
    "  - { name: mobile, address: 127.0.0.1, port: 8081 }\n"
    "groups:\n"
    "  - { name: web, listeners: [web] }\n"
    "  - { name: mobile, listeners: [mobile] }\n"
    "routes:\n"
    "  - { name: users, match: { path_prefix: /users }, service: users }\n"
    "plugins:\n"
    "  - name: cache\n"
    "    groups: [web]\n"
    "    config: { ttl: 30s, max_size: 1MB }\n";

Cache cacheOf(const HttpConnectionManager& hcm) {
  Cache cache;
  EXPECT_TRUE(filterNamed(hcm, kCacheFilter).typed_config().UnpackTo(&cache));
  return cache;
}

registry::PurgeList purges(uint64_t epoch, std::initializer_list<registry::CachePurge> entries) {
  return registry::PurgeList{epoch, entries};
}

TEST(PurgeTranslationTest, PurgesRideInTheCacheFilterOfCacheGroupsOnly) {
  const GroupSnapshots snapshots =
      translate(parse(kConfig), {}, absl::InfinitePast(), {},
                purges(77, {{1, "users", "", absl::UnixEpoch()}, {2, "", "/users/1", absl::UnixEpoch()}}));
  const Cache cache = cacheOf(hcmOf(listenerOf(snapshots.at("web"), "web")));
  EXPECT_EQ(cache.purge_epoch(), 77u);
  ASSERT_EQ(cache.purges_size(), 2);
  EXPECT_EQ(cache.purges(0).id(), 1u);
  EXPECT_EQ(cache.purges(0).route(), "users");
  EXPECT_EQ(cache.purges(0).path_prefix(), "");
  EXPECT_EQ(cache.purges(1).id(), 2u);
  EXPECT_EQ(cache.purges(1).path_prefix(), "/users/1");
  EXPECT_EQ(cache.ttl().seconds(), 30) << "the plugin's settings are still there";
  EXPECT_EQ(cache.max_size_bytes(), 1u << 20);
  EXPECT_FALSE(hasFilter(hcmOf(listenerOf(snapshots.at("mobile"), "mobile")), kCacheFilter));
}

TEST(PurgeTranslationTest, APurgeChangesTheListenerVersionOfCacheGroupsOnly) {
  const model::PorticoConfig config = parse(kConfig);
  auto version = [&config](const registry::PurgeList& list, const std::string& group) {
    const GroupSnapshots snapshots = translate(config, {}, absl::InfinitePast(), {}, list);
    return snapshots.at(group)->find(ResourceType::kListener, group)->version;
  };
  const std::string none = version(purges(5, {}), "web");
  const std::string one = version(purges(5, {{1, "users", "", absl::UnixEpoch()}}), "web");
  EXPECT_NE(none, one);
  EXPECT_EQ(one, version(purges(5, {{1, "users", "", absl::UnixEpoch()}}), "web")) << "deterministic";
  EXPECT_NE(one, version(purges(6, {{1, "users", "", absl::UnixEpoch()}}), "web")) << "the epoch counts";
  EXPECT_EQ(version(purges(5, {}), "mobile"), version(purges(5, {{1, "users", "", absl::UnixEpoch()}}), "mobile"))
      << "mobile gets no push";
}

TEST(PurgeTranslationTest, WithoutAPurgeLogTheConfigIsAsBefore) {
  const Cache cache = cacheOf(hcmOf(listenerOf(translate(parse(kConfig), {}).at("web"), "web")));
  EXPECT_EQ(cache.purge_epoch(), 0u);
  EXPECT_EQ(cache.purges_size(), 0);
}

}  // namespace
}  // namespace portico::cp::translator::test
