// Revoked JWT ids in the jwt_policy filter config: sorted by jti whatever the input order, in
// every listener of every group that runs the jwt plugin, nowhere else, and part of the
// listener's content version (a change is a push; the same set is not).

#include <gtest/gtest.h>

#include "common/strings.h"
#include "portico/filters/jwt_policy/v1/jwt_policy.pb.h"
#include "tests/unit/control-plane/translator/translator_test_util.h"

namespace portico::cp::translator::test {
namespace {

using portico::filters::jwt_policy::v1::JwtPolicy;

constexpr char kJwtPolicyFilter[] = "portico.filters.http.jwt_policy";

// Group "web" runs jwt (a plugin limited to it), group "mobile" does not.
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
    "  - name: jwt\n"
    "    groups: [web]\n"
    "    config:\n"
    "      providers:\n"
    "        - { name: internal, issuer: internal, secret: { base64: \"c2VjcmV0LXNlY3JldC1zZWNyZXQ=\" } }\n";

JwtPolicy policyOf(const HttpConnectionManager& hcm) {
  JwtPolicy policy;
  EXPECT_TRUE(filterNamed(hcm, kJwtPolicyFilter).typed_config().UnpackTo(&policy));
  return policy;
}

registry::RevocationList revoked(std::initializer_list<std::pair<const char*, int64_t>> entries) {
  registry::RevocationList out;
  for (const auto& [jti, expires_at] : entries) out.push_back({jti, expires_at, absl::UnixEpoch()});
  return out;
}

TEST(RevocationTranslationTest, SortedListInEveryJwtGroupOnly) {
  const GroupSnapshots snapshots =
      translate(parse(kConfig), {}, absl::InfinitePast(), revoked({{"zz", 0}, {"aa", 1893456000}, {"mm", 7}}));
  const JwtPolicy policy = policyOf(hcmOf(listenerOf(snapshots.at("web"), "web")));
  ASSERT_EQ(policy.revoked_tokens_size(), 3);
  EXPECT_EQ(policy.revoked_tokens(0).jti(), "aa");
  EXPECT_EQ(policy.revoked_tokens(0).expires_at(), 1893456000);
  EXPECT_EQ(policy.revoked_tokens(1).jti(), "mm");
  EXPECT_EQ(policy.revoked_tokens(1).expires_at(), 7);
  EXPECT_EQ(policy.revoked_tokens(2).jti(), "zz");
  EXPECT_EQ(policy.revoked_tokens(2).expires_at(), 0);
  // The providers are still there: the list is added to the policy, not instead of it.
  EXPECT_EQ(policy.providers().count("global/internal"), 1u);

  EXPECT_FALSE(hasFilter(hcmOf(listenerOf(snapshots.at("mobile"), "mobile")), kJwtPolicyFilter))
      << "no jwt plugin in mobile: no jwt filter, no list";
}

TEST(RevocationTranslationTest, ListChangesTheListenerVersionOnlyWhenItChanges) {
  const model::PorticoConfig config = parse(kConfig);
  auto version = [&config](const registry::RevocationList& list, const std::string& group) {
    const GroupSnapshots snapshots = translate(config, {}, absl::InfinitePast(), list);
    return snapshots.at(group)->find(ResourceType::kListener, group)->version;
  };
  const std::string none = version({}, "web");
  const std::string one = version(revoked({{"a", 0}}), "web");
  EXPECT_NE(none, one);
  EXPECT_EQ(version(revoked({{"b", 0}, {"a", 0}}), "web"), version(revoked({{"a", 0}, {"b", 0}}), "web"))
      << "order of the input does not matter";
  EXPECT_NE(version(revoked({{"a", 0}}), "web"), version(revoked({{"a", 5}}), "web"));
  EXPECT_EQ(version({}, "mobile"), version(revoked({{"a", 0}}), "mobile")) << "mobile gets no push";
}

TEST(RevocationTranslationTest, EmptyListLeavesThePolicyAsBefore) {
  const GroupSnapshots snapshots = translate(parse(kConfig), {});
  EXPECT_EQ(policyOf(hcmOf(listenerOf(snapshots.at("web"), "web"))).revoked_tokens_size(), 0);
}

}  // namespace
}  // namespace portico::cp::translator::test
