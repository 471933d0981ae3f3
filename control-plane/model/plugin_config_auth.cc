// Configuration of the authentication and authorization plugins: jwt, key-auth, authorize,
// ext-auth.

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "common/strings.h"
#include "control-plane/model/parser_internal.h"
#include "control-plane/model/plugin_config_parsers.h"

namespace portico::cp::model::internal {
namespace {

std::optional<SecretRef> parseSecret(YamlReader& r, const YAML::Node& node, const std::string& path) {
  if (!node.IsMap()) {
    r.error(node, path, "give exactly one of env, file, base64 (secrets are never written inline)");
    return std::nullopt;
  }
  if (!r.expectMap(node, path, {"env", "file", "base64"})) return std::nullopt;
  if (node.size() != 1) {
    r.error(node, path, "give exactly one of env, file, base64 (secrets are never written inline)");
    return std::nullopt;
  }
  SecretRef out;
  if (auto v = r.string(node, "env", path, false)) {
    out = {SecretRef::Kind::kEnv, *v};
  } else if (auto f = r.string(node, "file", path, false)) {
    out = {SecretRef::Kind::kFile, *f};
  } else if (auto b = r.string(node, "base64", path, false)) {
    out = {SecretRef::Kind::kBase64, *b};
  }
  return out;
}

// The secret's bytes: read when the config is loaded, so a missing variable or file is a config
// error at the right line, not a failure later.
absl::StatusOr<std::string> resolveSecret(const YamlReader& r, const SecretRef& ref) {
  switch (ref.kind) {
    case SecretRef::Kind::kEnv: {
      const char* value = std::getenv(ref.value.c_str());
      if (value == nullptr || *value == '\0') {
        return absl::InvalidArgumentError(cat("environment variable ", ref.value, " is not set"));
      }
      return std::string(value);
    }
    case SecretRef::Kind::kFile: {
      std::ifstream in(r.resolvePath(ref.value), std::ios::binary);
      if (!in) return absl::InvalidArgumentError(cat("cannot read ", ref.value));
      std::stringstream buffer;
      buffer << in.rdbuf();
      std::string bytes = buffer.str();
      while (!bytes.empty() && (bytes.back() == '\n' || bytes.back() == '\r')) bytes.pop_back();
      if (bytes.empty()) return absl::InvalidArgumentError(cat(ref.value, " is empty"));
      return bytes;
    }
    case SecretRef::Kind::kBase64: {
      std::string bytes;
      if (!absl::Base64Unescape(ref.value, &bytes) || bytes.empty()) {
        return absl::InvalidArgumentError("base64: not valid base64");
      }
      return bytes;
    }
  }
  return absl::InvalidArgumentError("unknown secret kind");
}

constexpr size_t kMinHmacSecretBytes = 32;

// http://127.0.0.1…, http://[::1]…, http://localhost…
bool loopbackUrl(std::string_view url) {
  std::string_view rest = url.substr(std::string_view("http://").size());
  std::string_view host = rest.substr(0, rest.find_first_of("/?#"));
  if (!host.empty() && host.front() == '[') {
    const size_t close = host.find(']');
    host = close == std::string_view::npos ? std::string_view() : host.substr(1, close - 1);
  } else {
    host = host.substr(0, host.find(':'));
  }
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

constexpr std::string_view kJwtAlgorithms[] = {
    "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA", "HS256", "HS384", "HS512"};

JwtProviderConfig parseProvider(YamlReader& r, const YAML::Node& node, const std::string& path,
                                std::set<std::string>& seen) {
  JwtProviderConfig out;
  if (!r.expectMap(node, path, {"name", "issuer", "audiences", "jwks_uri", "jwks", "jwks_ca", "jwks_cache", "secret",
                                "require", "algorithms"})) {
    return out;
  }
  if (auto name = readName(r, node, path, seen, "provider")) out.name = *name;
  if (auto v = r.string(node, "issuer", path, true)) out.issuer = *v;
  if (auto v = r.stringList(node, "audiences", path, false)) out.audiences = std::move(*v);
  int sources = 0;
  if (auto v = r.string(node, "jwks_uri", path, false)) {
    // Keys fetched in the clear could be swapped by anyone on the path: https only, except to
    // this host (portico-proxy applies the same rule).
    if (!absl::StartsWith(*v, "https://") && !(absl::StartsWith(*v, "http://") && loopbackUrl(*v))) {
      r.error(node["jwks_uri"], YamlReader::join(path, "jwks_uri"),
              "must be an https:// URL (http:// only to 127.0.0.1, [::1] or localhost)");
    }
    out.jwks_uri = *v;
    ++sources;
  }
  if (const YAML::Node jwks = node["jwks"]) {
    // Inline JWKS: a mapping (the YAML form of the JSON) or the JSON text itself.
    out.jwks_inline = jwks.IsScalar() ? jwks.Scalar() : YamlReader::toJson(jwks);
    ++sources;
  }
  if (node["secret"]) {
    out.secret = parseSecret(r, node["secret"], YamlReader::join(path, "secret"));
    if (out.secret) {
      auto resolved = resolveSecret(r, *out.secret);
      if (!resolved.ok()) {
        r.error(node["secret"], YamlReader::join(path, "secret"), sv(resolved.status().message()));
      } else if (resolved->size() < kMinHmacSecretBytes) {
        // RFC 7518 §3.2: at least the hash's size (HS256: 32 bytes; HS384 48, HS512 64).
        r.error(node["secret"], YamlReader::join(path, "secret"),
                cat("an HMAC secret must be at least ", kMinHmacSecretBytes, " bytes (RFC 7518 §3.2); this one has ",
                    resolved->size()));
      } else {
        out.secret_bytes = std::move(*resolved);
      }
    }
    ++sources;
  }
  if (sources != 1) {
    r.error(node, path, "give exactly one key source: jwks_uri, jwks or secret");
  }
  if (auto v = r.string(node, "jwks_ca", path, false)) out.jwks_ca = *v;
  if (auto v = r.duration(node, "jwks_cache", path, false)) out.jwks_cache = *v;
  if (auto v = r.stringList(node, "require", path, false)) out.require = std::move(*v);
  if (auto v = r.stringList(node, "algorithms", path, false)) {
    for (const std::string& alg : *v) {
      bool known = false;
      for (std::string_view a : kJwtAlgorithms) known = known || a == alg;
      if (!known || alg == "none") {
        r.error(node["algorithms"], YamlReader::join(path, "algorithms"), cat("\"", alg, "\" is not a supported algorithm"));
      }
    }
    out.algorithms = std::move(*v);
  }
  return out;
}

}  // namespace

JwtConfig parseJwt(YamlReader& r, const YAML::Node& node, const std::string& path) {
  JwtConfig out;
  if (!r.expectMap(node, path, {"providers", "from_headers", "from_query", "consumer_claim", "claims_to_headers",
                                "clock_skew", "requirement", "require_providers"})) {
    return out;
  }
  const YAML::Node providers = node["providers"];
  if (!providers) {
    r.error(node, YamlReader::join(path, "providers"), "required: at least one provider");
  } else if (r.expectSequence(providers, YamlReader::join(path, "providers"))) {
    std::set<std::string> seen;
    if (providers.size() == 0) r.error(providers, YamlReader::join(path, "providers"), "required: at least one provider");
    for (size_t i = 0; i < providers.size(); ++i) {
      out.providers.push_back(parseProvider(r, providers[i], YamlReader::index(YamlReader::join(path, "providers"), i), seen));
    }
  }
  if (auto v = r.stringList(node, "from_headers", path, false)) {
    out.from_headers.clear();
    for (const std::string& h : *v) out.from_headers.push_back(absl::AsciiStrToLower(h));
  }
  if (auto v = r.stringList(node, "from_query", path, false)) out.from_query = std::move(*v);
  if (auto v = r.string(node, "consumer_claim", path, false)) out.consumer_claim = *v;
  if (auto v = r.stringMap(node, "claims_to_headers", path)) {
    for (auto& [claim, header] : *v) {
      const std::string lower = absl::AsciiStrToLower(header);
      if (!absl::StartsWith(lower, "x-")) {
        r.error(node["claims_to_headers"], YamlReader::join(YamlReader::join(path, "claims_to_headers"), claim),
                "header names must start with x- (they are cleared on every incoming request)");
      }
      out.claims_to_headers[claim] = lower;
    }
  }
  if (auto v = r.duration(node, "clock_skew", path, false)) out.clock_skew = *v;
  if (auto v = r.oneOf(node, "requirement", path, {"required", "optional", "permissive"}, false)) {
    out.requirement = *v == "optional"     ? JwtConfig::Requirement::kOptional
                      : *v == "permissive" ? JwtConfig::Requirement::kPermissive
                                           : JwtConfig::Requirement::kRequired;
  }
  if (auto v = r.stringList(node, "require_providers", path, false)) {
    for (const std::string& name : *v) {
      bool found = false;
      for (const auto& provider : out.providers) found = found || provider.name == name;
      if (!found) {
        r.error(node["require_providers"], YamlReader::join(path, "require_providers"),
                cat("\"", name, "\" is not a provider of this plugin"));
      }
    }
    out.require_providers = std::move(*v);
  }
  return out;
}

KeyAuthConfig parseKeyAuth(YamlReader& r, const YAML::Node& node, const std::string& path) {
  KeyAuthConfig out;
  if (!node) return out;
  if (!r.expectMap(node, path, {"header", "query", "hide_credentials"})) return out;
  if (auto v = r.string(node, "header", path, false)) out.header = absl::AsciiStrToLower(*v);
  if (auto v = r.string(node, "query", path, false)) out.query = *v;
  if (auto v = r.boolean(node, "hide_credentials", path)) out.hide_credentials = *v;
  return out;
}

namespace {

std::vector<AuthorizeRule> parseRules(YamlReader& r, const YAML::Node& list, const std::string& path) {
  std::vector<AuthorizeRule> out;
  if (!list || !r.expectSequence(list, path)) return out;
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string where = YamlReader::index(path, i);
    if (!r.expectMap(list[i], where, {"claim", "in", "contains", "consumer_group"})) continue;
    AuthorizeRule rule;
    if (auto v = r.string(list[i], "claim", where, false)) rule.claim = *v;
    if (auto v = r.stringList(list[i], "in", where, false)) rule.in = std::move(*v);
    if (auto v = r.string(list[i], "contains", where, false)) rule.contains = *v;
    if (auto v = r.string(list[i], "consumer_group", where, false)) rule.consumer_group = *v;
    const bool claim_rule = !rule.claim.empty() && (rule.in.empty() != rule.contains.empty());
    const bool group_rule = rule.claim.empty() && rule.in.empty() && rule.contains.empty() && !rule.consumer_group.empty();
    if (!claim_rule && !group_rule) {
      r.error(list[i], where, "a rule is {claim, in: [...]}, {claim, contains: value} or {consumer_group}");
    }
    out.push_back(std::move(rule));
  }
  return out;
}

}  // namespace

AuthorizeConfig parseAuthorize(YamlReader& r, const YAML::Node& node, const std::string& path) {
  AuthorizeConfig out;
  if (!r.expectMap(node, path, {"any_of", "all_of"})) return out;
  out.any_of = parseRules(r, node["any_of"], YamlReader::join(path, "any_of"));
  out.all_of = parseRules(r, node["all_of"], YamlReader::join(path, "all_of"));
  if (out.any_of.empty() && out.all_of.empty()) r.error(node, path, "give any_of or all_of rules");
  return out;
}

ExtAuthConfig parseExtAuth(YamlReader& r, const YAML::Node& node, const std::string& path) {
  ExtAuthConfig out;
  if (!r.expectMap(node, path, {"url", "identity_headers", "upstream_headers", "cache_ttl", "timeout", "fail"})) {
    return out;
  }
  if (auto v = r.string(node, "url", path, true)) {
    if (!absl::StartsWith(*v, "http://") && !absl::StartsWith(*v, "https://")) {
      r.error(node["url"], YamlReader::join(path, "url"), "must be an http:// or https:// URL");
    }
    out.url = *v;
  }
  if (auto v = r.stringList(node, "identity_headers", path, false)) {
    for (const std::string& h : *v) out.identity_headers.push_back(absl::AsciiStrToLower(h));
  }
  if (auto v = r.stringList(node, "upstream_headers", path, false)) {
    for (const std::string& h : *v) out.upstream_headers.push_back(absl::AsciiStrToLower(h));
  }
  if (auto v = r.duration(node, "cache_ttl", path, false)) out.cache_ttl = *v;
  if (out.cache_ttl > absl::ZeroDuration() && out.identity_headers.empty()) {
    r.error(node, YamlReader::join(path, "identity_headers"), "required with cache_ttl (they are the cache key)");
  }
  if (auto v = r.duration(node, "timeout", path, false)) out.timeout = *v;
  if (auto v = r.oneOf(node, "fail", path, {"open", "closed"}, false)) out.fail_open = *v == "open";
  return out;
}

}  // namespace portico::cp::model::internal
