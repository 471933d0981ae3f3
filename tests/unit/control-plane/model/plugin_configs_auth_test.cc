// portico.yaml configs of the authentication and authorization plugins (jwt, key-auth, authorize,
// ext-auth): parsed values, and each invalid value refused with its own message.

#include <gtest/gtest.h>
#include <stdlib.h>

#include <map>
#include <string>
#include <variant>
#include <vector>

#include "common/strings.h"
#include "absl/strings/match.h"
#include "control-plane/model/config_parser.h"
#include "tests/support/test_env.h"
#include "tests/unit/control-plane/model/parser_test_util.h"

namespace portico::cp::model {
namespace {

using test::errorOf;
using test::parseOk;

TEST(AuthPluginsTest, AuthPluginConfigs) {
  PorticoConfig config = parseOk(R"(plugins:
  - name: jwt
    config:
      providers:
        - name: idp
          issuer: https://idp.example.com/
          audiences: api.example.com
          jwks_uri: https://idp.example.com/jwks.json
          jwks_ca: /etc/ca.pem
          jwks_cache: 5m
          require: [exp, sub]
          algorithms: [RS256, ES256]
        - name: inline
          issuer: inline
          jwks: { keys: [ { kty: oct, k: AAAA } ] }
        - name: hmac
          issuer: internal
          secret: { base64: c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA== }
      from_headers: [Authorization, X-Token]
      from_query: [access_token]
      consumer_claim: client_id
      claims_to_headers: { sub: X-User-Id }
      clock_skew: 30s
      requirement: permissive
      require_providers: [idp, hmac]
  - name: key-auth
  - name: authorize
    config:
      any_of: [ { claim: role, in: [admin] }, { consumer_group: partners } ]
      all_of: [ { claim: scope, contains: "orders:write" } ]
  - name: ext-auth
    config:
      url: "https://authz.internal/check"
      identity_headers: [Authorization]
      timeout: 2s
      fail: open
)");
  ASSERT_EQ(config.plugins.size(), 4u);
  ASSERT_TRUE(std::holds_alternative<JwtConfig>(config.plugins[0].config));
  const auto& jwt = std::get<JwtConfig>(config.plugins[0].config);
  ASSERT_EQ(jwt.providers.size(), 3u);
  EXPECT_EQ(jwt.providers[0].name, "idp");
  EXPECT_EQ(jwt.providers[0].issuer, "https://idp.example.com/");
  EXPECT_EQ(jwt.providers[0].audiences, (std::vector<std::string>{"api.example.com"}));
  EXPECT_EQ(jwt.providers[0].jwks_uri, "https://idp.example.com/jwks.json");
  EXPECT_EQ(jwt.providers[0].jwks_ca, "/etc/ca.pem");
  EXPECT_EQ(jwt.providers[0].jwks_cache, absl::Minutes(5));
  EXPECT_EQ(jwt.providers[0].require, (std::vector<std::string>{"exp", "sub"}));
  EXPECT_EQ(jwt.providers[0].algorithms, (std::vector<std::string>{"RS256", "ES256"}));
  EXPECT_EQ(jwt.providers[1].jwks_inline, R"({"keys":[{"kty":"oct","k":"AAAA"}]})");
  ASSERT_TRUE(jwt.providers[2].secret.has_value());
  EXPECT_EQ(jwt.providers[2].secret->kind, SecretRef::Kind::kBase64);
  EXPECT_EQ(jwt.providers[2].secret->value, "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA==");
  EXPECT_EQ(jwt.providers[2].secret_bytes, "secret-secret-secret-secret-secret");  // resolved when the file is loaded
  EXPECT_EQ(jwt.from_headers, (std::vector<std::string>{"authorization", "x-token"}));
  EXPECT_EQ(jwt.from_query, (std::vector<std::string>{"access_token"}));
  EXPECT_EQ(jwt.consumer_claim, "client_id");
  EXPECT_EQ(jwt.claims_to_headers, (std::map<std::string, std::string>{{"sub", "x-user-id"}}));
  EXPECT_EQ(jwt.clock_skew, absl::Seconds(30));
  EXPECT_EQ(jwt.requirement, JwtConfig::Requirement::kPermissive);
  EXPECT_EQ(jwt.require_providers, (std::vector<std::string>{"idp", "hmac"}));

  ASSERT_TRUE(std::holds_alternative<KeyAuthConfig>(config.plugins[1].config));
  const auto& key_auth = std::get<KeyAuthConfig>(config.plugins[1].config);
  EXPECT_EQ(key_auth.header, "x-api-key");  // config is optional for key-auth
  EXPECT_EQ(key_auth.query, "");
  EXPECT_TRUE(key_auth.hide_credentials);

  ASSERT_TRUE(std::holds_alternative<AuthorizeConfig>(config.plugins[2].config));
  const auto& authorize = std::get<AuthorizeConfig>(config.plugins[2].config);
  ASSERT_EQ(authorize.any_of.size(), 2u);
  EXPECT_EQ(authorize.any_of[0].claim, "role");
  EXPECT_EQ(authorize.any_of[0].in, (std::vector<std::string>{"admin"}));
  EXPECT_EQ(authorize.any_of[1].consumer_group, "partners");
  ASSERT_EQ(authorize.all_of.size(), 1u);
  EXPECT_EQ(authorize.all_of[0].contains, "orders:write");

  ASSERT_TRUE(std::holds_alternative<ExtAuthConfig>(config.plugins[3].config));
  const auto& ext = std::get<ExtAuthConfig>(config.plugins[3].config);
  EXPECT_EQ(ext.url, "https://authz.internal/check");
  EXPECT_EQ(ext.identity_headers, (std::vector<std::string>{"authorization"}));
  EXPECT_EQ(ext.cache_ttl, absl::ZeroDuration());
  EXPECT_EQ(ext.timeout, absl::Seconds(2));
  EXPECT_TRUE(ext.fail_open);
}

TEST(AuthPluginsTest, JwtProviderWithTwoKeySources) {
  EXPECT_EQ(errorOf(R"(plugins:
  - name: jwt
    config:
      providers:
        - name: idp
          issuer: https://idp.example.com/
          jwks_uri: https://idp.example.com/jwks
          secret: { base64: c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA== }
)"),
            "portico.yaml:5: plugins[0].config.providers[0]: give exactly one key source: "
            "jwks_uri, jwks or secret");
  EXPECT_EQ(errorOf(R"(plugins:
  - name: jwt
    config:
      providers:
        - { name: idp, issuer: https://idp.example.com/ }
)"),
            "portico.yaml:5: plugins[0].config.providers[0]: give exactly one key source: "
            "jwks_uri, jwks or secret");
}

TEST(AuthPluginsTest, JwtInlineSecretIsRefused) {
  const std::string error = errorOf(R"(plugins:
  - name: jwt
    config:
      providers:
        - name: internal
          issuer: internal
          secret: s3cr3t
)");
  EXPECT_TRUE(absl::StartsWith(error, "portico.yaml:7: plugins[0].config.providers[0].secret: "))
      << error;
  EXPECT_EQ(error.find('\n'), std::string::npos) << error;
  EXPECT_EQ(errorOf(R"(plugins:
  - name: jwt
    config:
      providers:
        - name: internal
          issuer: internal
          secret: { env: A, base64: QUJD }
)"),
            "portico.yaml:7: plugins[0].config.providers[0].secret: give exactly one of env, file, "
            "base64 (secrets are never written inline)");
}

// Regression (fixed): the most likely mistake, an inline secret string, gets the generic
// "must be a mapping (key: value)", which does not say what is allowed; the parser's own message
// for secrets (env, file or base64, never inline) is what the operator needs here.
TEST(AuthPluginsTest, JwtInlineSecretMessageSaysWhatIsAllowed) {
  EXPECT_EQ(errorOf(R"(plugins:
  - name: jwt
    config:
      providers:
        - name: internal
          issuer: internal
          secret: s3cr3t
)"),
            "portico.yaml:7: plugins[0].config.providers[0].secret: give exactly one of env, file, "
            "base64 (secrets are never written inline)");
}

TEST(AuthPluginsTest, JwtSecretIsResolvedAtLoad) {
  EXPECT_EQ(errorOf(R"(plugins:
  - name: jwt
    config:
      providers:
        - { name: internal, issuer: internal, secret: { env: PORTICO_TEST_SURELY_UNSET } }
)"),
            "portico.yaml:5: plugins[0].config.providers[0].secret: environment variable "
            "PORTICO_TEST_SURELY_UNSET is not set");
  EXPECT_EQ(errorOf(R"(plugins:
  - name: jwt
    config:
      providers:
        - { name: internal, issuer: internal, secret: { base64: "!!" } }
)"),
            "portico.yaml:5: plugins[0].config.providers[0].secret: base64: not valid base64");

  ::setenv("PORTICO_TEST_JWT_SECRET", "from-env-0123456789abcdef0123456789", 1);
  PorticoConfig config = parseOk(R"(plugins:
  - name: jwt
    config:
      providers:
        - { name: internal, issuer: internal, secret: { env: PORTICO_TEST_JWT_SECRET } }
)");
  ::unsetenv("PORTICO_TEST_JWT_SECRET");
  ASSERT_EQ(config.plugins.size(), 1u);
  ASSERT_TRUE(std::holds_alternative<JwtConfig>(config.plugins[0].config));
  EXPECT_EQ(std::get<JwtConfig>(config.plugins[0].config).providers[0].secret_bytes, "from-env-0123456789abcdef0123456789");
}

TEST(AuthPluginsTest, JwtSecretsMustBeLongEnough) {
  EXPECT_EQ(errorOf(R"(plugins:
  - name: jwt
    config:
      providers:
        - { name: internal, issuer: internal, secret: { base64: c2VjcmV0 } }
)"),
            "portico.yaml:5: plugins[0].config.providers[0].secret: an HMAC secret must be at least 32 bytes "
            "(RFC 7518 §3.2); this one has 6");
}

TEST(AuthPluginsTest, JwksUriMustBeHttpsUnlessLoopback) {
  EXPECT_EQ(errorOf(R"(plugins:
  - name: jwt
    config:
      providers:
        - { name: idp, issuer: idp, jwks_uri: "http://idp.example.com/jwks" }
)"),
            "portico.yaml:5: plugins[0].config.providers[0].jwks_uri: must be an https:// URL (http:// only to "
            "127.0.0.1, [::1] or localhost)");
  for (const char* uri : {"http://127.0.0.1:8080/jwks", "http://[::1]:9000/jwks", "http://localhost/jwks",
                          "https://idp.example.com/jwks"}) {
    parseOk(portico::cat(R"(plugins:
  - name: jwt
    config:
      providers:
        - { name: idp, issuer: idp, jwks_uri: ")", uri, R"(" }
)"));
  }
}

// A secret file named relatively is found beside the config file.
TEST(AuthPluginsTest, JwtSecretFileIsRelativeToTheConfigFile) {
  const std::string dir = testing::makeTempDir("plugins-test");
  testing::writeFile(dir + "/jwt.key", "file-secret-0123456789abcdef0123456789\n");
  testing::writeFile(dir + "/portico.yaml", R"(plugins:
  - name: jwt
    config:
      providers:
        - { name: internal, issuer: internal, secret: { file: jwt.key } }
)");
  auto config = loadConfigFile(dir + "/portico.yaml");
  ASSERT_TRUE(config.ok()) << config.status();
  ASSERT_TRUE(std::holds_alternative<JwtConfig>(config->plugins[0].config));
  const JwtProviderConfig& provider = std::get<JwtConfig>(config->plugins[0].config).providers[0];
  EXPECT_EQ(provider.secret->kind, SecretRef::Kind::kFile);
  EXPECT_EQ(provider.secret_bytes, "file-secret-0123456789abcdef0123456789");  // trailing newline dropped

  testing::writeFile(dir + "/portico.yaml", R"(plugins:
  - name: jwt
    config:
      providers:
        - { name: internal, issuer: internal, secret: { file: missing.key } }
)");
  auto missing = loadConfigFile(dir + "/portico.yaml");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(
      missing.status().message(),
      dir + "/portico.yaml:5: plugins[0].config.providers[0].secret: cannot read missing.key");
}

TEST(AuthPluginsTest, JwtClaimsToNonXHeader) {
  EXPECT_EQ(errorOf(R"(plugins:
  - name: jwt
    config:
      providers: [{ name: idp, issuer: i, jwks_uri: "https://idp.example.com/jwks" }]
      claims_to_headers: { sub: x-user-id, role: Role }
)"),
            "portico.yaml:5: plugins[0].config.claims_to_headers.role: header names must start "
            "with x- (they are cleared on every incoming request)");
}

TEST(AuthPluginsTest, JwtRequireProvidersNamesAnUnknownProvider) {
  EXPECT_EQ(errorOf(R"(plugins:
  - name: jwt
    config:
      providers: [{ name: idp, issuer: i, jwks_uri: "https://idp.example.com/jwks" }]
      require_providers: [idp, other]
)"),
            "portico.yaml:5: plugins[0].config.require_providers: \"other\" is not a provider of "
            "this plugin");
}

TEST(AuthPluginsTest, JwtAlgorithmNone) {
  EXPECT_EQ(
      errorOf(R"(plugins:
  - name: jwt
    config:
      providers:
        - name: idp
          issuer: i
          jwks_uri: "https://idp.example.com/jwks"
          algorithms: [RS256, none]
)"),
      "portico.yaml:8: plugins[0].config.providers[0].algorithms: \"none\" is not a supported "
      "algorithm");
}

TEST(AuthPluginsTest, JwtNeedsProviders) {
  EXPECT_EQ(errorOf(R"(plugins:
  - name: jwt
    config: { consumer_claim: sub }
)"),
            "portico.yaml:3: plugins[0].config.providers: required: at least one provider");
}

// Regression (fixed): docs/config.md says "providers: # at least one", and a missing
// list is refused, but an empty list is accepted: a jwt plugin that can verify no token.
TEST(AuthPluginsTest, JwtEmptyProviderListIsRefused) {
  EXPECT_EQ(errorOf(R"(plugins:
  - name: jwt
    config: { providers: [] }
)"),
            "portico.yaml:3: plugins[0].config.providers: required: at least one provider");
}

TEST(AuthPluginsTest, ExtAuthCacheTtlWithoutIdentityHeaders) {
  EXPECT_EQ(errorOf(R"(plugins:
  - name: ext-auth
    config: { url: "http://authz.internal:9000/check", cache_ttl: 60s }
)"),
            "portico.yaml:3: plugins[0].config.identity_headers: required with cache_ttl (they are "
            "the cache key)");
}

TEST(AuthPluginsTest, ExtAuthUrl) {
  EXPECT_EQ(errorOf(R"(plugins:
  - name: ext-auth
    config: { url: "authz.internal:9000" }
)"),
            "portico.yaml:3: plugins[0].config.url: must be an http:// or https:// URL");
}

TEST(AuthPluginsTest, AuthorizeRules) {
  EXPECT_EQ(errorOf(R"(plugins:
  - name: authorize
    config:
      any_of:
        - { claim: role }
)"),
            "portico.yaml:5: plugins[0].config.any_of[0]: a rule is {claim, in: [...]}, {claim, "
            "contains: value} or {consumer_group}");
  EXPECT_EQ(errorOf(R"(plugins:
  - name: authorize
    config: { any_of: [] }
)"),
            "portico.yaml:3: plugins[0].config: give any_of or all_of rules");
}

}  // namespace
}  // namespace portico::cp::model
