// JWT authentication end to end: a real portico.yaml through portico-cp to portico-proxy in
// front of a self-registering echo backend (which echoes the headers it received, so the test
// sees exactly what reached the upstream), with tokens minted here with OpenSSL for every
// algorithm, and a real HTTPS JWKS server on 127.0.0.1 with its own CA that rotates keys and
// goes down.
// Covers: a valid token of each of RS256/384/512, PS256/384/512, ES256/384, EdDSA and
// HS256/384/512 reaches the upstream with x-user-id / x-user-role; every hostile input of the
// issue is refused with 401 and a WWW-Authenticate challenge; a spoofed identity never reaches
// the upstream; optional routes; the token in a query parameter; remote keys (first fetch,
// rotation picked up through the bounded refetch, last good keys while the server is down);
// a jti revoked through the control plane's REST API is refused; the verification metrics.
//
// The processes are started once for the suite; the tests only send requests (the remote-key
// test changes the JWKS server, the revocation test the revocation list, each cleaning up).

#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "common/http/http_client.h"
#include "common/strings.h"
#include "tests/support/echo_reply.h"
#include "tests/support/gateway_suite.h"
#include "tests/support/jwks_server.h"
#include "tests/support/jwt_test_keys.h"
#include "tests/support/test_env.h"

namespace portico::testing {
namespace {

const std::string kHmacSecret(64, 'h');  // long enough for HS512 (RFC 7518 §3.2)

struct Keys {
  TestKey rsa = TestKey::rsa("rsa-1");
  TestKey ec256 = TestKey::ecP256("ec-1");
  TestKey ec384 = TestKey::ecP384("ec-2");
  TestKey ed = TestKey::ed25519("ed-1");
  TestKey hmac = TestKey::hmac("", kHmacSecret);
  TestKey idp1 = TestKey::rsa("idp-1");
  TestKey idp2 = TestKey::ecP256("idp-2");
};

std::string configYaml(uint16_t port, const Keys& keys, const JwksServer& jwks) {
  return cat(R"yaml(version: 1
listeners:
  - { name: public, address: 127.0.0.1, port: )yaml", port, R"yaml( }
routes:
  - { name: open, match: { path_prefix: /open }, service: echo }
  - { name: api, match: { path_prefix: /api }, service: echo }
  - { name: optional, match: { path_prefix: /optional }, service: echo }
  - { name: remote, match: { path_prefix: /remote }, service: echo }
plugins:
  - name: jwt
    route: api
    config:
      providers:
        - { name: rsa, issuer: "https://rsa.test", audiences: [orders], jwks: ')yaml", jwksOf({&keys.rsa}), R"yaml(' }
        - { name: ec, issuer: "https://ec.test", jwks: ')yaml", jwksOf({&keys.ec256, &keys.ec384}), R"yaml(' }
        - { name: ed, issuer: "https://ed.test", jwks: ')yaml", jwksOf({&keys.ed}), R"yaml(' }
        - { name: hmac, issuer: "https://hmac.test", secret: { base64: ")yaml", base64Url(kHmacSecret), R"yaml(" } }
      from_query: [access_token]
      claims_to_headers: { sub: x-user-id, role: x-user-role }
  - name: jwt
    route: optional
    config:
      providers:
        - { name: rsa, issuer: "https://rsa.test", jwks: ')yaml", jwksOf({&keys.rsa}), R"yaml(' }
      claims_to_headers: { sub: x-user-id }
      requirement: optional
  - name: jwt
    route: remote
    config:
      providers:
        - name: idp
          issuer: "https://idp.test"
          jwks_uri: ")yaml", jwks.uri(), R"yaml("
          jwks_ca: ")yaml", jwks.caFile(), R"yaml("
          jwks_cache: 1s
      claims_to_headers: { sub: x-user-id }
)yaml");
}

class JwtAuthnTest : public GatewaySuite<JwtAuthnTest> {
 protected:
  // The keys and the JWKS server first: the config carries the keys and the server's address.
  static void SetUpTestSuite() {
    keys_ = std::make_unique<Keys>();
    jwks_ = JwksServer::start(makeTempDir("jwt-authn-test"), jwksOf({&keys_->idp1}));
    startGateway({.proxy = {.extra_args = {"--jwks_min_refetch_interval=300ms"}}, .request_timeout = absl::Seconds(10)},
                 [](uint16_t port) { return configYaml(port, *keys_, *jwks_); });
  }

  static void TearDownTestSuite() {
    GatewaySuite::TearDownTestSuite();
    jwks_.reset();
    keys_.reset();
  }

  // One GET on a fresh connection (bounded: 10 s); header() reads its response.
  static EchoReply send(const std::string& target, http::HeaderList headers = {}) {
    return gateway().send("GET", target, std::move(headers));
  }
  static EchoReply withToken(const std::string& target, const std::string& token, http::HeaderList more = {}) {
    more.emplace_back("Authorization", cat("Bearer ", token));
    return send(target, std::move(more));
  }
  static std::string header(const std::string& name) { return gateway().header(name); }

  // Failed JWKS fetches so far, from the proxy's /metrics (0 when there is no such series).
  static int fetchFailures() {
    auto metrics = gateway().proxy().admin("/metrics");
    if (!metrics.ok()) return 0;
    int total = 0;
    size_t at = 0;
    while ((at = metrics->body.find("portico_proxy_jwks_fetches_total{", at)) != std::string::npos) {
      const size_t end = metrics->body.find('\n', at);
      const std::string line = metrics->body.substr(at, end - at);
      if (line.find("result=\"failure\"") != std::string::npos) total += std::atoi(line.substr(line.rfind(' ') + 1).c_str());
      at = end;
    }
    return total;
  }

  static std::string claims(const std::string& issuer, const std::string& extra = "") {
    return cat(R"({"iss":")", issuer, R"(","sub":"alice","role":"reader","exp":)", nowSeconds() + 600, extra, "}");
  }
  static std::string rsaToken(const std::string& extra = R"(,"aud":"orders")") {
    return mintJwt(keys_->rsa, "RS256", claims("https://rsa.test", extra));
  }

  static inline std::unique_ptr<Keys> keys_;
  static inline std::unique_ptr<JwksServer> jwks_;
};

TEST_F(JwtAuthnTest, ValidTokenOfEveryAlgorithmReachesTheUpstreamWithIdentityHeaders) {
  struct Case {
    const char* alg;
    const TestKey* key;
    const char* issuer;
  };
  const Case cases[] = {
      {"RS256", &keys_->rsa, "https://rsa.test"},     {"RS384", &keys_->rsa, "https://rsa.test"},
      {"RS512", &keys_->rsa, "https://rsa.test"},     {"PS256", &keys_->rsa, "https://rsa.test"},
      {"PS384", &keys_->rsa, "https://rsa.test"},     {"PS512", &keys_->rsa, "https://rsa.test"},
      {"ES256", &keys_->ec256, "https://ec.test"},    {"ES384", &keys_->ec384, "https://ec.test"},
      {"EdDSA", &keys_->ed, "https://ed.test"},       {"HS256", &keys_->hmac, "https://hmac.test"},
      {"HS384", &keys_->hmac, "https://hmac.test"},   {"HS512", &keys_->hmac, "https://hmac.test"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.alg);
    const std::string token = mintJwt(
        *c.key, c.alg,
        cat(R"({"iss":")", c.issuer, R"(","aud":"orders","sub":"user-)", c.alg, R"(","role":"role-)", c.alg,
            R"(","exp":)", nowSeconds() + 600, "}"));
    // The client also claims to be root: the gateway's x-user-id is the only one upstream.
    const EchoReply reply = withToken("/api/items", token, {{"X-User-Id", "root"}, {"x-user-role", "admin"}});
    ASSERT_EQ(reply.status, 200) << reply.body;
    EXPECT_EQ(reply.backend, "echo-1");
    EXPECT_EQ(headerOf(reply, "x-user-id"), cat("user-", c.alg));
    EXPECT_EQ(headerOf(reply, "x-user-role"), cat("role-", c.alg));
    EXPECT_EQ(headerOf(reply, "authorization"), cat("Bearer ", token)) << "forwarded, as Kong does";
  }
}

TEST_F(JwtAuthnTest, MissingTokenIsRefusedWithABareChallenge) {
  const EchoReply reply = send("/api/items?x=1");
  EXPECT_EQ(reply.status, 401);
  EXPECT_EQ(reply.backend, "");
  EXPECT_EQ(localErrorCode(reply.body), "jwt_missing");
  EXPECT_EQ(header("www-authenticate"), cat("Bearer realm=\"http://127.0.0.1:", gateway().port(), "/api/items\""));
}

TEST_F(JwtAuthnTest, HostileInputsAreRefusedWith401) {
  const std::string rsa_claims = claims("https://rsa.test", R"(,"aud":"orders")");
  const std::string good = rsaToken();
  const size_t dot1 = good.find('.');
  const size_t dot2 = good.find('.', dot1 + 1);
  std::string tampered_signature = good;
  tampered_signature[dot2 + 10] = tampered_signature[dot2 + 10] == 'A' ? 'B' : 'A';
  const std::string tampered_payload =
      good.substr(0, dot1 + 1) + base64Url(claims("https://rsa.test", R"(,"aud":"orders","role":"admin")")) +
      good.substr(dot2);
  const std::string none_header = base64Url(R"({"alg":"none","typ":"JWT"})");
  const TestKey confusion = TestKey::hmac("rsa-1", keys_->rsa.publicPem());
  const TestKey stranger = TestKey::rsa("rsa-1");
  struct Case {
    const char* what;
    std::string token;
    const char* code;
  };
  const std::vector<Case> cases = {
      {"alg none, unsigned", cat(none_header, ".", base64Url(rsa_claims), "."), "jwt_malformed"},
      {"alg none, with a signature", cat(none_header, ".", base64Url(rsa_claims), ".", base64Url("sig")),
       "jwt_bad_algorithm"},
      {"HS256 signed with the RSA public key", mintJwt(confusion, "HS256", rsa_claims), "jwt_unknown_kid"},
      {"expired", mintJwt(keys_->rsa, "RS256", cat(R"({"iss":"https://rsa.test","aud":"orders","exp":)",
                                                   nowSeconds() - 3600, "}")),
       "jwt_expired"},
      {"not yet valid", mintJwt(keys_->rsa, "RS256", cat(R"({"iss":"https://rsa.test","aud":"orders","nbf":)",
                                                         nowSeconds() + 3600, "}")),
       "jwt_not_yet_valid"},
      {"wrong issuer", mintJwt(keys_->rsa, "RS256", claims("https://evil.test", R"(,"aud":"orders")")),
       "jwt_unknown_issuer"},
      {"wrong audience", rsaToken(R"(,"aud":"billing")"), "jwt_audience_not_allowed"},
      {"tampered signature", tampered_signature, "jwt_bad_signature"},
      {"tampered payload", tampered_payload, "jwt_bad_signature"},
      {"signed by another key", mintJwt(stranger, "RS256", rsa_claims), "jwt_bad_signature"},
      {"oversized", rsaToken(cat(R"(,"aud":"orders","pad":")", std::string(9000, 'x'), "\"")), "jwt_too_large"},
      {"malformed base64", cat(good.substr(0, dot1), "!", good.substr(dot1)), "jwt_malformed"},
      {"padded base64", cat(good.substr(0, dot1), "=", good.substr(dot1)), "jwt_malformed"},
      {"malformed JSON",
       mintJwtWithHeader(keys_->rsa, "RS256", R"({"alg":"RS256","kid":"rsa-1"})", R"({"iss":"https://rsa.test",)"),
       "jwt_malformed"},
      {"payload not an object", mintJwt(keys_->rsa, "RS256", R"(["https://rsa.test"])"), "jwt_malformed"},
      {"two segments", good.substr(0, dot2), "jwt_malformed"},
      {"unknown kid", mintJwtWithHeader(keys_->rsa, "RS256", R"({"alg":"RS256","kid":"rsa-9"})", rsa_claims),
       "jwt_unknown_kid"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    const EchoReply reply = withToken("/api/items", c.token, {{"X-User-Id", "root"}});
    EXPECT_EQ(reply.status, 401) << reply.body;
    EXPECT_EQ(reply.backend, "") << "never reached the upstream";
    EXPECT_EQ(localErrorCode(reply.body), c.code) << reply.body;
    EXPECT_EQ(header("www-authenticate"),
              cat("Bearer realm=\"http://127.0.0.1:", gateway().port(), "/api/items\", error=\"invalid_token\""));
  }
  // One good and one bad token in the same request: refused (the upstream could not tell which
  // one was checked).
  const EchoReply mixed = send(cat("/api/items?access_token=", tampered_signature),
                               {{"Authorization", cat("Bearer ", good)}});
  EXPECT_EQ(mixed.status, 401);
  EXPECT_EQ(localErrorCode(mixed.body), "jwt_bad_signature");
}

TEST_F(JwtAuthnTest, TokenInAQueryParameter) {
  const EchoReply reply = send(cat("/api/items?access_token=", rsaToken(), "&page=2"));
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(headerOf(reply, "x-user-id"), "alice");
}

TEST_F(JwtAuthnTest, SpoofedIdentityHeadersNeverReachTheUpstream) {
  // A valid token without a "role" claim: the client's x-user-role must not stand in for it.
  const EchoReply no_role = withToken(
      "/api/a",
      mintJwt(keys_->rsa, "RS256", cat(R"({"iss":"https://rsa.test","aud":"orders","sub":"bob","exp":)",
                                       nowSeconds() + 600, "}")),
      {{"x-user-role", "admin"}, {"X-USER-ID", "root"}});
  ASSERT_EQ(no_role.status, 200) << no_role.body;
  EXPECT_EQ(headerOf(no_role, "x-user-id"), "bob");
  EXPECT_EQ(headerOf(no_role, "x-user-role"), "<absent>");
  // On a route without JWT, and on the optional route without a token.
  for (const char* target : {"/open/a", "/optional/a"}) {
    const EchoReply reply = send(target, {{"x-user-id", "root"}, {"x-user-role", "admin"}});
    ASSERT_EQ(reply.status, 200) << target;
    EXPECT_EQ(headerOf(reply, "x-user-id"), "<absent>") << target;
    EXPECT_EQ(headerOf(reply, "x-user-role"), "<absent>") << target;
  }
}

TEST_F(JwtAuthnTest, OptionalRouteAllowsNoTokenButNotABadOne) {
  const EchoReply none = send("/optional/a");
  EXPECT_EQ(none.status, 200);
  EXPECT_EQ(headerOf(none, "x-user-id"), "<absent>");
  const EchoReply good = withToken("/optional/a", rsaToken(""));
  ASSERT_EQ(good.status, 200) << good.body;
  EXPECT_EQ(headerOf(good, "x-user-id"), "alice");
  const EchoReply bad = withToken("/optional/a", "not.a.jwt");
  EXPECT_EQ(bad.status, 401);
  EXPECT_EQ(localErrorCode(bad.body), "jwt_malformed");
}

TEST_F(JwtAuthnTest, RemoteKeysRotateAndSurviveTheServerGoingDown) {
  const auto token = [](const TestKey& key, const char* alg, const char* sub) {
    return mintJwt(key, alg, cat(R"({"iss":"https://idp.test","sub":")", sub, R"(","exp":)", nowSeconds() + 600, "}"));
  };
  const EchoReply first = withToken("/remote/a", token(keys_->idp1, "RS256", "carol"));
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(headerOf(first, "x-user-id"), "carol");

  // The issuer rotates to a new key: a token naming it makes the proxy refetch (at most once per
  // 300 ms here) and is accepted.
  jwks_->setBody(jwksOf({&keys_->idp2}));
  EXPECT_TRUE(waitUntil([&] { return withToken("/remote/a", token(keys_->idp2, "ES256", "dave")).status == 200; },
                        absl::Seconds(20), absl::Milliseconds(100)))
      << gateway().last().body;
  EXPECT_EQ(withToken("/remote/a", token(keys_->idp1, "RS256", "carol")).status, 401) << "the old key is gone";

  // The JWKS server goes down: refreshes fail (cache 1 s), the last good keys keep working.
  jwks_->stop();
  const int failures_before = fetchFailures();
  ASSERT_TRUE(waitUntil([&] { return fetchFailures() > failures_before; }, absl::Seconds(20)))
      << "no failed refresh was recorded";
  const EchoReply down = withToken("/remote/a", token(keys_->idp2, "ES256", "erin"));
  ASSERT_EQ(down.status, 200) << down.body;
  EXPECT_EQ(headerOf(down, "x-user-id"), "erin");
  jwks_->restart();
}

TEST_F(JwtAuthnTest, RevokedJtiIsRefused) {
  const std::string stolen = rsaToken(R"(,"aud":"orders","jti":"stolen-42")");
  ASSERT_EQ(withToken("/api/a", stolen).status, 200);
  auto revoked = gateway().cp().request("POST", "/v1/jwt/revocations", R"({"jti":"stolen-42"})");
  ASSERT_TRUE(revoked.ok()) << revoked.status();
  ASSERT_TRUE(revoked->status == 200 || revoked->status == 201) << revoked->body;
  EXPECT_TRUE(waitUntil([&] { return withToken("/api/a", stolen).status == 401; }, absl::Seconds(20)));
  EXPECT_EQ(localErrorCode(gateway().last().body), "jwt_revoked");
  EXPECT_EQ(withToken("/api/a", rsaToken(R"(,"aud":"orders","jti":"fine-1")")).status, 200);
  auto removed = gateway().cp().request("DELETE", "/v1/jwt/revocations/stolen-42");
  ASSERT_TRUE(removed.ok() && removed->status == 200) << (removed.ok() ? removed->body : removed.status().ToString());
  EXPECT_TRUE(waitUntil([&] { return withToken("/api/a", stolen).status == 200; }, absl::Seconds(20)));
}

TEST_F(JwtAuthnTest, VerificationsAreCountedPerProviderAndOutcome) {
  ASSERT_EQ(withToken("/api/a", rsaToken()).status, 200);
  ASSERT_EQ(withToken("/api/a", rsaToken(R"(,"aud":"billing")")).status, 401);
  auto metrics = gateway().proxy().admin("/metrics");
  ASSERT_TRUE(metrics.ok());
  const std::string& body = metrics->body;
  EXPECT_NE(body.find("portico_proxy_jwt_verifications_total{outcome=\"ok\",provider=\"route.api/rsa\"}"),
            std::string::npos)
      << body.substr(0, 3000);
  EXPECT_NE(body.find("portico_proxy_jwt_verifications_total{outcome=\"audience_not_allowed\",provider=\"route.api/rsa\"}"),
            std::string::npos);
  EXPECT_NE(body.find("portico_proxy_jwks_fetches_total{result=\"success\""), std::string::npos);
}

}  // namespace
}  // namespace portico::testing
