// jwt-bench: the cost of JWT verification on the proxy's request path, with keys parsed once
// (as the filter holds them):
// - Signature/<alg>: one signature check (OpenSSL), the floor of a first-seen token;
// - Parse: decoding and JSON-parsing a typical RS256 token;
// - TokenUncached/<alg>: TokenVerifier::verify on tokens it has not seen (parse + signature +
//   claims; 1,024 distinct tokens cycled through the 256-entry per-worker cache);
// - TokenCached/<alg>: the same token again (the verified-token cache: hash, compare, claims);
// - FilterCached: the whole jwt_authn decodeHeaders (clear identity headers, extract the bearer
//   token, verify from the cache, copy two claims into headers) on a Beast request.
// Numbers go to docs/benchmarks.md; nothing is asserted.
//
//   build/tests/jwt-bench [--benchmark_filter=Signature] [--benchmark_min_time=1]

#include <benchmark/benchmark.h>
#include <google/protobuf/any.pb.h>

#include <memory>
#include <string>
#include <vector>

#include "common/strings.h"
#include "data-plane/filters/jwt_authn/jwt.h"
#include "data-plane/filters/jwt_authn/jwt_authn_factory.h"
#include "data-plane/filters/jwt_authn/signature.h"
#include "data-plane/filters/jwt_authn/token_verifier.h"
#include "data-plane/http/filter.h"
#include "envoy/extensions/filters/http/jwt_authn/v3/config.pb.h"
#include "tests/support/jwt_test_keys.h"

namespace portico::dp::filters::jwt_authn {
namespace {

using portico::testing::jwksOf;
using portico::testing::mintJwt;
using portico::testing::nowSeconds;
using portico::testing::TestKey;

struct Fixture {
  TestKey rsa = TestKey::rsa("rsa");
  TestKey ec256 = TestKey::ecP256("ec256");
  TestKey ec384 = TestKey::ecP384("ec384");
  TestKey ed = TestKey::ed25519("ed");
  TestKey hmac = TestKey::hmac("hs", std::string(64, 'k'));
  JwksConstSharedPtr jwks = *Jwks::parse(jwksOf({&rsa, &ec256, &ec384, &ed, &hmac}));

  const TestKey& keyFor(std::string_view alg) const {
    if (alg.substr(0, 2) == "HS") return hmac;
    if (alg == "ES256") return ec256;
    if (alg == "ES384") return ec384;
    if (alg == "EdDSA") return ed;
    return rsa;
  }
  const Jwk& jwkFor(std::string_view alg) const {
    const std::string& kid = keyFor(alg).kid();
    for (const Jwk& key : jwks->keys()) {
      if (key.kid == kid) return key;
    }
    return jwks->keys()[0];
  }
  // A realistic payload (~300 bytes of claims).
  static std::string claims(int i) {
    return cat(R"({"iss":"https://idp.example.com/","sub":"user-)", i,
               R"(","aud":"api.example.com","role":"reader","scope":"orders:read orders:write profile",)",
               R"("email":"user)", i, R"(@example.com","jti":"id-)", i, R"(","iat":)", nowSeconds(), R"(,"exp":)",
               nowSeconds() + 3600, "}");
  }
};

Fixture& fixture() {
  static Fixture* f = new Fixture();
  return *f;
}

const char* const kAlgs[] = {"RS256", "PS256", "ES256", "ES384", "EdDSA", "HS256"};

void BM_Signature(benchmark::State& state) {
  const std::string alg = kAlgs[state.range(0)];
  const Fixture& f = fixture();
  const std::string token = mintJwt(f.keyFor(alg), alg, Fixture::claims(1));
  Jwt jwt;
  std::string_view input;
  parseJwt(token, jwt, input);
  const Jwk& key = f.jwkFor(alg);
  for (auto _ : state) {
    benchmark::DoNotOptimize(verifySignature(key, jwt.alg, input, jwt.signature));
  }
  state.SetLabel(alg);
}
BENCHMARK(BM_Signature)->DenseRange(0, 5);

void BM_Parse(benchmark::State& state) {
  const std::string token = mintJwt(fixture().rsa, "RS256", Fixture::claims(1));
  for (auto _ : state) {
    Jwt jwt;
    std::string_view input;
    benchmark::DoNotOptimize(parseJwt(token, jwt, input));
  }
  state.SetLabel(cat(token.size(), "-byte token"));
}
BENCHMARK(BM_Parse);

Provider makeProvider(const Fixture& f) {
  Provider provider;
  provider.name = "idp";
  provider.issuer = "https://idp.example.com/";
  provider.audiences = {"api.example.com"};
  provider.local_jwks = f.jwks;
  return provider;
}

void BM_TokenUncached(benchmark::State& state) {
  const std::string alg = kAlgs[state.range(0)];
  const Fixture& f = fixture();
  const Provider provider = makeProvider(f);
  TokenVerifier verifier(1, nullptr, nullptr);
  std::vector<std::string> tokens;
  for (int i = 0; i < 1024; ++i) tokens.push_back(mintJwt(f.keyFor(alg), alg, Fixture::claims(i)));
  size_t i = 0;
  for (auto _ : state) {
    const TokenCheck check = verifier.verify(provider, tokens[i++ % tokens.size()], nullptr, 0, false);
    if (check.status != JwtStatus::kOk) state.SkipWithError("verification failed");
  }
  state.SetLabel(alg);
}
BENCHMARK(BM_TokenUncached)->DenseRange(0, 5);

void BM_TokenCached(benchmark::State& state) {
  const std::string alg = kAlgs[state.range(0)];
  const Fixture& f = fixture();
  const Provider provider = makeProvider(f);
  TokenVerifier verifier(1, nullptr, nullptr);
  const std::string token = mintJwt(f.keyFor(alg), alg, Fixture::claims(7));
  for (auto _ : state) {
    const TokenCheck check = verifier.verify(provider, token, nullptr, 0, false);
    if (check.status != JwtStatus::kOk) state.SkipWithError("verification failed");
  }
  state.SetLabel(alg);
}
BENCHMARK(BM_TokenCached)->DenseRange(0, 5);

void BM_FilterCached(benchmark::State& state) {
  const Fixture& f = fixture();
  envoy::extensions::filters::http::jwt_authn::v3::JwtAuthentication proto;
  auto& provider = (*proto.mutable_providers())["idp"];
  provider.set_issuer("https://idp.example.com/");
  provider.add_audiences("api.example.com");
  provider.set_forward(true);
  provider.mutable_local_jwks()->set_inline_string(jwksOf({&f.rsa}));
  auto* sub = provider.add_claim_to_headers();
  sub->set_header_name("x-user-id");
  sub->set_claim_name("sub");
  auto* role = provider.add_claim_to_headers();
  role->set_header_name("x-user-role");
  role->set_claim_name("role");
  auto* rule = proto.add_rules();
  rule->mutable_match()->set_prefix("/");
  rule->mutable_requires_()->set_provider_name("idp");
  google::protobuf::Any any;
  any.PackFrom(proto);
  auto filter = *jwtAuthnFactory().createFilter(any, http::FilterBuildContext{});

  router::Request request;
  request.method(boost::beast::http::verb::get);
  request.target("/api/orders/42");
  request.version(11);
  request.set(boost::beast::http::field::host, "api.example.com");
  request.set(boost::beast::http::field::user_agent, "bench");
  request.set(boost::beast::http::field::accept, "*/*");
  request.set(boost::beast::http::field::authorization, cat("Bearer ", mintJwt(f.rsa, "RS256", Fixture::claims(3))));
  http::FilterState filter_state;
  for (auto _ : state) {
    filter_state.reset();
    filter_state.request = &request;
    filter_state.path = "/api/orders/42";
    if (filter->decodeHeaders(filter_state, nullptr) != http::FilterStatus::kContinue) {
      state.SkipWithError("refused");
    }
  }
}
BENCHMARK(BM_FilterCached);

}  // namespace
}  // namespace portico::dp::filters::jwt_authn

BENCHMARK_MAIN();
