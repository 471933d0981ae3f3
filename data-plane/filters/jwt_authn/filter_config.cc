#include "data-plane/filters/jwt_authn/filter_config.h"

#include <google/protobuf/any.pb.h>
#include <google/protobuf/reflection.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"
#include "common/logging.h"
#include "common/strings.h"
#include "data-plane/filters/jwt_authn/jwks_fetcher.h"
#include "data-plane/filters/jwt_authn/jwks_registry.h"
#include "data-plane/http/consumer.h"
#include "envoy/extensions/filters/http/jwt_authn/v3/config.pb.h"
#include "portico/filters/jwt_policy/v1/jwt_policy.pb.h"

namespace portico::dp::filters::jwt_authn {

namespace v3 = envoy::extensions::filters::http::jwt_authn::v3;
namespace policy_v1 = portico::filters::jwt_policy::v1;

namespace {

constexpr absl::Duration kDefaultFetchTimeout = absl::Seconds(5);
constexpr absl::Duration kMaxFetchTimeout = absl::Seconds(60);
constexpr absl::Duration kDefaultCacheDuration = absl::Minutes(10);
constexpr int64_t kDefaultClockSkew = 60;

// Headers a claim may never be copied into: they frame or route the request.
constexpr std::string_view kReservedHeaders[] = {"host", "content-length", "transfer-encoding", "connection",
                                                 "upgrade", "te", "trailer", "keep-alive", "proxy-connection",
                                                 "expect"};

absl::Duration toDuration(const google::protobuf::Duration& d) {
  return absl::Seconds(d.seconds()) + absl::Nanoseconds(d.nanos());
}

bool isTokenChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

absl::Status checkHeaderName(std::string_view name, const std::string& where) {
  if (name.empty() || !std::all_of(name.begin(), name.end(), isTokenChar)) {
    return absl::InvalidArgumentError(cat(where, ": \"", name, "\" is not a valid header name"));
  }
  return absl::OkStatus();
}

// The first unknown field of `message` itself (not of its sub-messages), as "field #N": a field
// this proxy does not implement in a message that decides who gets in is refused, never
// ignored (ignoring `subjects` or `max_lifetime` would accept tokens the operator meant to refuse).
std::string unknownField(const google::protobuf::Message& message) {
  const auto& unknown = message.GetReflection()->GetUnknownFields(message);
  if (unknown.field_count() == 0) return {};
  return cat("field #", unknown.field(0).number(), " is not supported by portico-proxy");
}

absl::StatusOr<std::vector<std::string>> splitPath(std::string_view dotted, const std::string& where) {
  std::vector<std::string> path = absl::StrSplit(av(dotted), '.');
  for (const std::string& part : path) {
    if (part.empty()) return absl::InvalidArgumentError(cat(where, ": \"", dotted, "\" is not a claim name"));
  }
  return path;
}

absl::StatusOr<std::string> readDataSource(const envoy::config::core::v3::DataSource& source, const std::string& where) {
  switch (source.specifier_case()) {
    case envoy::config::core::v3::DataSource::kInlineString:
      return source.inline_string();
    case envoy::config::core::v3::DataSource::kInlineBytes:
      return source.inline_bytes();
    case envoy::config::core::v3::DataSource::kFilename: {
      std::ifstream file(source.filename(), std::ios::binary);
      if (!file) return absl::InvalidArgumentError(cat(where, ".filename: cannot read \"", source.filename(), "\""));
      std::ostringstream text;
      text << file.rdbuf();
      if (text.str().size() > kMaxJwksBytes) {
        return absl::InvalidArgumentError(cat(where, ".filename: over ", kMaxJwksBytes, " bytes"));
      }
      return text.str();
    }
    default:
      return absl::InvalidArgumentError(cat(where, ": empty data source"));
  }
}

}  // namespace

bool JwtAuthnConfig::Rule::matches(std::string_view path) const {
  switch (kind) {
    case Kind::kPrefix:
      return case_sensitive ? path.substr(0, value.size()) == value
                            : path.size() >= value.size() && absl::EqualsIgnoreCase(av(path.substr(0, value.size())), value);
    case Kind::kPath:
      return case_sensitive ? path == value : absl::EqualsIgnoreCase(av(path), value);
    case Kind::kRegex:
      return re2::RE2::FullMatch(re2::StringPiece(path.data(), path.size()), *regex);
  }
  return false;
}

// Builds the config; a friend of JwtAuthnConfig.
struct JwtAuthnConfigBuilder {
  const v3::JwtAuthentication& proto;
  const policy_v1::JwtPolicy& policy;
  const http::FilterBuildContext& context;
  JwtAuthnConfig& out;
  metrics::CounterFamily* family = nullptr;

  absl::Status build(Clock clock) {
    if (std::string unknown = unknownField(proto); !unknown.empty()) return absl::InvalidArgumentError(unknown);
    if (context.jwks != nullptr) {
      family = context.jwks->verifications().get();
    } else {
      out.private_family_ = std::make_shared<metrics::CounterFamily>(
          "portico_proxy_jwt_verifications_total", "", static_cast<int>(std::max<size_t>(context.worker_count, 1)));
      family = out.private_family_.get();
    }
    // Providers in name order (a protobuf map has none), so "first provider" means the same
    // thing on every proxy.
    std::vector<std::string> names;
    for (const auto& [name, provider] : proto.providers()) names.push_back(name);
    std::sort(names.begin(), names.end());
    Requirement::ProviderMap by_name;
    std::vector<const Provider*> all;
    for (const std::string& name : names) {
      auto provider = buildProvider(name, proto.providers().at(name));
      if (!provider.ok()) return provider.status();
      (*provider)->index = static_cast<uint32_t>(out.providers_.size());
      by_name[name] = provider->get();
      all.push_back(provider->get());
      out.providers_.push_back(std::move(*provider));
    }
    for (size_t i = 0; i < out.unmatched_.size(); ++i) {
      out.unmatched_[i] = family->get({{"provider", "-"}, {"outcome", std::string(statusLabel(static_cast<JwtStatus>(i)))}});
    }
    if (absl::Status status = collectSanitizedHeaders(); !status.ok()) return status;
    for (const auto& [name, requirement] : proto.requirement_map()) {
      const std::string where = cat("requirement_map[\"", name, "\"]");
      if (absl::Status status = checkRequirementFields(requirement, where); !status.ok()) return status;
      auto compiled = Requirement::compile(requirement, by_name, all, where);
      if (!compiled.ok()) return compiled.status();
      out.requirement_map_[name] = std::move(*compiled);
    }
    for (int i = 0; i < proto.rules_size(); ++i) {
      if (absl::Status status = buildRule(proto.rules(i), cat("rules[", i, "]"), by_name, all); !status.ok()) {
        return status;
      }
    }
    out.bypass_cors_preflight_ = proto.bypass_cors_preflight();
    auto revoked = std::make_shared<RevokedSet>();
    for (const auto& token : policy.revoked_tokens()) {
      if (!token.jti().empty()) revoked->insert(token.jti());
    }
    out.verifier_ = std::make_unique<TokenVerifier>(std::max<size_t>(context.worker_count, 1), std::move(revoked),
                                                    std::move(clock));
    out.consumers_ = context.consumers;
    return absl::OkStatus();
  }

  absl::Status checkRequirementFields(const v3::JwtRequirement& requirement, const std::string& where) {
    if (std::string unknown = unknownField(requirement); !unknown.empty()) {
      return absl::InvalidArgumentError(cat(where, ": ", unknown));
    }
    const auto* list = requirement.has_requires_any()   ? &requirement.requires_any().requirements()
                       : requirement.has_requires_all() ? &requirement.requires_all().requirements()
                                                        : nullptr;
    if (list == nullptr) return absl::OkStatus();
    for (int i = 0; i < list->size(); ++i) {
      if (absl::Status status = checkRequirementFields((*list)[i], cat(where, ".requirements[", i, "]")); !status.ok()) {
        return status;
      }
    }
    return absl::OkStatus();
  }

  absl::StatusOr<std::unique_ptr<Provider>> buildProvider(const std::string& name, const v3::JwtProvider& in) {
    const std::string where = cat("providers[\"", name, "\"]");
    if (std::string unknown = unknownField(in); !unknown.empty()) {
      return absl::InvalidArgumentError(cat(where, ": ", unknown));
    }
    auto provider = std::make_unique<Provider>();
    provider->name = name;
    provider->issuer = in.issuer();
    provider->audiences.assign(in.audiences().begin(), in.audiences().end());
    const policy_v1::ProviderPolicy* extra = nullptr;
    if (auto it = policy.providers().find(name); it != policy.providers().end()) extra = &it->second;

    if (in.has_local_jwks()) {
      auto text = readDataSource(in.local_jwks(), cat(where, ".local_jwks"));
      if (!text.ok()) return text.status();
      std::vector<std::string> skipped;
      auto keys = Jwks::parse(*text, &skipped);
      if (!keys.ok()) return absl::InvalidArgumentError(cat(where, ".local_jwks: ", keys.status().message()));
      for (const std::string& line : skipped) PORTICO_LOG(kWarning, "jwt provider ", name, ": skipped ", line);
      provider->local_jwks = std::move(*keys);
    } else if (in.has_remote_jwks()) {
      const v3::RemoteJwks& remote = in.remote_jwks();
      RemoteJwksSettings settings;
      settings.uri = remote.http_uri().uri();
      if (absl::Status status = checkJwksUri(settings.uri); !status.ok()) {
        return absl::InvalidArgumentError(cat(where, ".remote_jwks.http_uri.uri: ", status.message()));
      }
      settings.timeout = remote.http_uri().has_timeout() ? toDuration(remote.http_uri().timeout()) : kDefaultFetchTimeout;
      if (settings.timeout <= absl::ZeroDuration()) settings.timeout = kDefaultFetchTimeout;
      settings.timeout = std::min(settings.timeout, kMaxFetchTimeout);
      settings.cache_duration =
          remote.has_cache_duration() ? toDuration(remote.cache_duration()) : kDefaultCacheDuration;
      if (settings.cache_duration < absl::Milliseconds(1)) {
        return absl::InvalidArgumentError(cat(where, ".remote_jwks.cache_duration: must be at least 1ms"));
      }
      if (extra != nullptr) settings.ca_file = extra->jwks_ca();
      if (context.jwks == nullptr) {
        return absl::InvalidArgumentError(cat(where, ".remote_jwks: this proxy has no JWKS registry"));
      }
      provider->remote_jwks = context.jwks->remote(settings);
    } else {
      return absl::InvalidArgumentError(cat(where, ": local_jwks or remote_jwks is required"));
    }

    provider->forward = in.forward();
    for (int i = 0; i < in.from_headers_size(); ++i) {
      const std::string hwhere = cat(where, ".from_headers[", i, "].name");
      if (absl::Status status = checkHeaderName(in.from_headers(i).name(), hwhere); !status.ok()) return status;
      provider->locations.push_back(TokenLocation{TokenLocation::Kind::kHeader,
                                                  absl::AsciiStrToLower(in.from_headers(i).name()),
                                                  in.from_headers(i).value_prefix()});
    }
    for (int i = 0; i < in.from_params_size(); ++i) {
      if (in.from_params(i).empty()) {
        return absl::InvalidArgumentError(cat(where, ".from_params[", i, "]: empty parameter name"));
      }
      provider->locations.push_back(TokenLocation{TokenLocation::Kind::kParam, in.from_params(i), ""});
    }
    if (provider->locations.empty()) {  // Envoy's defaults
      provider->locations.push_back(TokenLocation{TokenLocation::Kind::kHeader, "authorization", "Bearer "});
      provider->locations.push_back(TokenLocation{TokenLocation::Kind::kParam, "access_token", ""});
    }
    for (int i = 0; i < in.claim_to_headers_size(); ++i) {
      const auto& mapping = in.claim_to_headers(i);
      const std::string cwhere = cat(where, ".claim_to_headers[", i, "]");
      if (absl::Status status = checkHeaderName(mapping.header_name(), cat(cwhere, ".header_name")); !status.ok()) {
        return status;
      }
      auto path = splitPath(mapping.claim_name(), cat(cwhere, ".claim_name"));
      if (!path.ok()) return path.status();
      provider->claim_to_headers.push_back(ClaimHeader{absl::AsciiStrToLower(mapping.header_name()), std::move(*path)});
    }
    if (!in.forward_payload_header().empty()) {
      if (absl::Status status = checkHeaderName(in.forward_payload_header(), cat(where, ".forward_payload_header"));
          !status.ok()) {
        return status;
      }
      provider->forward_payload_header = absl::AsciiStrToLower(in.forward_payload_header());
    }
    provider->clock_skew_seconds = in.clock_skew_seconds() > 0 ? in.clock_skew_seconds() : kDefaultClockSkew;
    provider->require_expiration = in.require_expiration();
    if (in.has_jwt_cache_config() && in.jwt_cache_config().jwt_max_token_size() > 0) {
      provider->max_token_bytes = in.jwt_cache_config().jwt_max_token_size();
    }
    if (extra != nullptr) {
      if (absl::Status status = applyPolicy(*extra, cat("jwt_policy.providers[\"", name, "\"]"), *provider);
          !status.ok()) {
        return status;
      }
    }
    for (size_t i = 0; i < provider->outcomes.size(); ++i) {
      provider->outcomes[i] =
          family->get({{"provider", name}, {"outcome", std::string(statusLabel(static_cast<JwtStatus>(i)))}});
    }
    return provider;
  }

  absl::Status applyPolicy(const policy_v1::ProviderPolicy& extra, const std::string& where, Provider& provider) {
    if (extra.algorithms_size() > 0) {
      provider.algorithms = AlgorithmSet();
      for (int i = 0; i < extra.algorithms_size(); ++i) {
        const std::optional<Algorithm> alg = parseAlgorithm(extra.algorithms(i));
        if (!alg) {
          return absl::InvalidArgumentError(
              cat(where, ".algorithms[", i, "]: \"", extra.algorithms(i), "\" is not a supported algorithm"));
        }
        provider.algorithms.add(*alg);
      }
    }
    for (int i = 0; i < extra.required_claims_size(); ++i) {
      auto path = splitPath(extra.required_claims(i), cat(where, ".required_claims[", i, "]"));
      if (!path.ok()) return path.status();
      provider.required_claims.push_back(std::move(*path));
    }
    if (!extra.consumer_claim().empty()) {
      auto path = splitPath(extra.consumer_claim(), cat(where, ".consumer_claim"));
      if (!path.ok()) return path.status();
      provider.consumer_claim = std::move(*path);
    }
    return absl::OkStatus();
  }

  // Every header a provider sets from a token; each request is cleared of client-sent copies.
  absl::Status collectSanitizedHeaders() {
    auto& headers = out.sanitized_headers_;
    auto add = [&headers](const std::string& name) {
      if (std::find(headers.begin(), headers.end(), name) == headers.end()) headers.push_back(name);
    };
    for (const auto& provider : out.providers_) {
      for (const ClaimHeader& mapping : provider->claim_to_headers) add(mapping.header);
      if (!provider->forward_payload_header.empty()) add(provider->forward_payload_header);
    }
    for (const std::string& header : headers) {
      for (std::string_view reserved : kReservedHeaders) {
        if (header == reserved) {
          return absl::InvalidArgumentError(cat("claim header \"", header, "\" is reserved"));
        }
      }
      for (const auto& provider : out.providers_) {
        for (const TokenLocation& location : provider->locations) {
          if (location.kind == TokenLocation::Kind::kHeader && location.name == header) {
            return absl::InvalidArgumentError(cat("providers[\"", provider->name, "\"]: header \"", header,
                                                  "\" carries tokens and cannot also receive claims"));
          }
        }
      }
    }
    return absl::OkStatus();
  }

  absl::Status buildRule(const v3::RequirementRule& in, const std::string& where,
                         const Requirement::ProviderMap& by_name, const std::vector<const Provider*>& all) {
    if (std::string unknown = unknownField(in); !unknown.empty()) {
      return absl::InvalidArgumentError(cat(where, ": ", unknown));
    }
    JwtAuthnConfig::Rule rule;
    const auto& match = in.match();
    if (std::string unknown = unknownField(match); !unknown.empty()) {
      return absl::InvalidArgumentError(cat(where, ".match: ", unknown));
    }
    if (match.headers_size() > 0 || match.query_parameters_size() > 0 || match.has_runtime_fraction()) {
      return absl::InvalidArgumentError(
          cat(where, ".match: only prefix, path and safe_regex are supported in jwt_authn rules"));
    }
    rule.case_sensitive = !match.has_case_sensitive() || match.case_sensitive().value();
    switch (match.path_specifier_case()) {
      case envoy::config::route::v3::RouteMatch::kPrefix:
        rule.kind = JwtAuthnConfig::Rule::Kind::kPrefix;
        rule.value = match.prefix();
        break;
      case envoy::config::route::v3::RouteMatch::kPath:
        rule.kind = JwtAuthnConfig::Rule::Kind::kPath;
        rule.value = match.path();
        break;
      case envoy::config::route::v3::RouteMatch::kSafeRegex: {
        rule.kind = JwtAuthnConfig::Rule::Kind::kRegex;
        re2::RE2::Options options;
        options.set_case_sensitive(rule.case_sensitive);
        options.set_log_errors(false);
        rule.regex = std::make_unique<re2::RE2>(match.safe_regex().regex(), options);
        if (!rule.regex->ok()) {
          return absl::InvalidArgumentError(cat(where, ".match.safe_regex: ", rule.regex->error()));
        }
        break;
      }
      default:
        return absl::InvalidArgumentError(cat(where, ".match: a path specifier is required"));
    }
    if (in.has_requires_()) {
      if (absl::Status status = checkRequirementFields(in.requires_(), cat(where, ".requires")); !status.ok()) {
        return status;
      }
      auto compiled = Requirement::compile(in.requires_(), by_name, all, cat(where, ".requires"));
      if (!compiled.ok()) return compiled.status();
      rule.requirement = std::move(*compiled);
    } else if (!in.requirement_name().empty()) {
      auto it = out.requirement_map_.find(in.requirement_name());
      if (it == out.requirement_map_.end()) {
        return absl::InvalidArgumentError(
            cat(where, ".requirement_name: \"", in.requirement_name(), "\" is not in requirement_map"));
      }
      rule.named = it->second.get();
    }
    out.rules_.push_back(std::move(rule));
    return absl::OkStatus();
  }
};

absl::StatusOr<std::shared_ptr<const JwtAuthnConfig>> JwtAuthnConfig::create(const v3::JwtAuthentication& proto,
                                                                              const policy_v1::JwtPolicy& policy,
                                                                              const http::FilterBuildContext& context,
                                                                              Clock clock) {
  std::shared_ptr<JwtAuthnConfig> config(new JwtAuthnConfig());
  JwtAuthnConfigBuilder builder{proto, policy, context, *config};
  if (absl::Status status = builder.build(std::move(clock)); !status.ok()) return status;
  return std::shared_ptr<const JwtAuthnConfig>(std::move(config));
}

const Requirement* JwtAuthnConfig::requirementForPath(std::string_view path) const {
  for (const Rule& rule : rules_) {
    if (rule.matches(path)) return rule.requirement ? rule.requirement.get() : rule.named;
  }
  return nullptr;
}

const Requirement* JwtAuthnConfig::namedRequirement(std::string_view name) const {
  auto it = requirement_map_.find(av(name));
  return it == requirement_map_.end() ? nullptr : it->second.get();
}

void JwtAuthnConfig::count(const Provider* provider, JwtStatus status, size_t worker) const {
  if (provider != nullptr) {
    provider->count(status, worker);
  } else if (auto* counter = unmatched_[static_cast<size_t>(status)]) {
    counter->inc(static_cast<int>(worker));
  }
}

}  // namespace portico::dp::filters::jwt_authn
