#include "data-plane/filters/jwt_authn/extractor.h"

#include <gtest/gtest.h>

#include "tests/unit/data-plane/filters/jwt_authn/jwt_filter_test_util.h"

namespace portico::dp::filters::jwt_authn {
namespace {

using testing::TestRequest;

Provider provider(std::vector<TokenLocation> locations, uint32_t index = 0) {
  Provider p;
  p.index = index;
  p.locations = std::move(locations);
  return p;
}

const TokenLocation kBearer{TokenLocation::Kind::kHeader, "authorization", "Bearer "};
const TokenLocation kAccessToken{TokenLocation::Kind::kParam, "access_token", ""};

std::vector<std::string> tokens(const Extractor& extractor, TestRequest& request) {
  Extracted out;
  extractor.extract(request.request, request.state.query, out);
  std::vector<std::string> found;
  for (const auto& token : out.tokens) found.emplace_back(token.token);
  return found;
}

TEST(ExtractorTest, BearerHeaderThenQueryParameter) {
  const Provider p = provider({kBearer, kAccessToken});
  Extractor extractor({&p});
  TestRequest request("/a?x=1&access_token=t.q.s&access_token=second", {{"Authorization", "Bearer  t.h.s "}});
  EXPECT_EQ(tokens(extractor, request), (std::vector<std::string>{"t.h.s", "t.q.s"}));
}

TEST(ExtractorTest, PrefixIsCaseInsensitiveAndRequired) {
  const Provider p = provider({kBearer});
  Extractor extractor({&p});
  TestRequest lower("/", {{"authorization", "bearer abc"}});
  EXPECT_EQ(tokens(extractor, lower), std::vector<std::string>{"abc"});
  TestRequest basic("/", {{"Authorization", "Basic dXNlcjpwYXNz"}});
  EXPECT_TRUE(tokens(extractor, basic).empty());
  TestRequest repeated("/", {{"Authorization", "Bearer one"}, {"Authorization", "Bearer two"}});
  EXPECT_EQ(tokens(extractor, repeated), (std::vector<std::string>{"one", "two"}));
}

TEST(ExtractorTest, CustomHeaderWithoutPrefixAndDecodedParameters) {
  const Provider p = provider({{TokenLocation::Kind::kHeader, "x-jwt", ""}, {TokenLocation::Kind::kParam, "jwt", ""}});
  Extractor extractor({&p});
  TestRequest request("/?jwt=a%2Eb%2Ec", {{"X-JWT", "x.y.z"}});
  EXPECT_EQ(tokens(extractor, request), (std::vector<std::string>{"x.y.z", "a.b.c"}));
  TestRequest key_encoded("/?j%77t=k.l.m");
  EXPECT_EQ(tokens(extractor, key_encoded), std::vector<std::string>{"k.l.m"});
}

TEST(ExtractorTest, SharedLocationsAreMergedWithTheirProviders) {
  const Provider a = provider({kBearer}, 0);
  const Provider b = provider({kBearer, kAccessToken}, 1);
  Extractor extractor({&a, &b});
  ASSERT_EQ(extractor.locations().size(), 2u);
  EXPECT_EQ(extractor.locations()[0].providers, (std::vector<const Provider*>{&a, &b}));
  EXPECT_EQ(extractor.locations()[1].providers, (std::vector<const Provider*>{&b}));
}

TEST(ExtractorTest, TooManyTokens) {
  const Provider p = provider({kBearer});
  Extractor extractor({&p});
  std::vector<std::pair<std::string, std::string>> headers;
  for (int i = 0; i < 9; ++i) headers.emplace_back("Authorization", "Bearer t");
  TestRequest request("/", headers);
  Extracted out;
  extractor.extract(request.request, request.state.query, out);
  EXPECT_TRUE(out.too_many);
}

TEST(ExtractorTest, RemovesTheTokenFromHeadersOrTheQuery) {
  TestRequest request("/p?a=1&access_token=t&b=2&access_token=u", {{"Authorization", "Bearer x"}});
  removeToken(request.request, kBearer);
  EXPECT_TRUE(request.values("authorization").empty());
  removeToken(request.request, kAccessToken);
  EXPECT_EQ(request.request.target(), "/p?a=1&b=2");
  TestRequest only("/p?access_token=t");
  removeToken(only.request, kAccessToken);
  EXPECT_EQ(only.request.target(), "/p");
}

}  // namespace
}  // namespace portico::dp::filters::jwt_authn
