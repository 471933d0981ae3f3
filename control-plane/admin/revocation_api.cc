#include "control-plane/admin/revocation_api.h"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/time/time.h"
#include "common/strings.h"

namespace portico::cp::admin {

namespace json = boost::json;

namespace {

constexpr char kExpiryForms[] =
    "must be unix seconds (an integer) or an RFC 3339 time such as \"2030-01-01T00:00:00Z\"";

absl::Status expiryError(std::string_view problem) { return absl::InvalidArgumentError(cat("expires_at: ", problem)); }

absl::StatusOr<int64_t> checkRange(int64_t seconds) {
  if (seconds < 1) {
    return expiryError(cat(seconds, " is not a positive unix time; leave expires_at out for no expiry"));
  }
  if (seconds > registry::kMaxExpiresAt) {
    return expiryError(cat(seconds, " is after 9999-12-31T23:59:59Z"));
  }
  return seconds;
}

absl::StatusOr<int64_t> expiryFromJson(const json::value& value) {
  if (value.is_int64()) return checkRange(value.as_int64());
  if (value.is_uint64()) return expiryError(cat(value.as_uint64(), " is after 9999-12-31T23:59:59Z"));
  if (value.is_string()) return parseExpiry(std::string_view(value.as_string()));
  return expiryError(kExpiryForms);
}

std::string rfc3339(absl::Time t) { return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone()); }

json::object tokenToJson(const registry::RevokedToken& token) {
  json::object out;
  out["jti"] = token.jti;
  if (token.expires_at != 0) {
    out["expires_at"] = token.expires_at;
    out["expires"] = rfc3339(absl::FromUnixSeconds(token.expires_at));
  } else {
    out["expires_at"] = nullptr;
    out["expires"] = nullptr;
  }
  out["revoked_at"] = token.revoked_at == absl::InfinitePast() ? "" : rfc3339(token.revoked_at);
  return out;
}

http::HttpResponse fromStatus(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kInvalidArgument:
      return http::jsonError(400, "invalid_argument", sv(status.message()));
    case absl::StatusCode::kNotFound:
      return http::jsonError(404, "not_found", sv(status.message()));
    case absl::StatusCode::kResourceExhausted:
      return http::jsonError(409, "revocation_list_full", sv(status.message()));
    default:
      return http::jsonError(500, "internal", sv(status.message()));
  }
}

}  // namespace

absl::StatusOr<int64_t> parseExpiry(std::string_view text) {
  const std::string trimmed(sv(absl::StripAsciiWhitespace(av(text))));
  if (trimmed.empty()) {
    return expiryError(cat("empty; ", kExpiryForms));
  }
  if (absl::ascii_isdigit(static_cast<unsigned char>(trimmed.front())) &&
      trimmed.find_first_not_of("0123456789") == std::string::npos) {
    int64_t seconds = 0;
    if (!absl::SimpleAtoi(av(trimmed), &seconds)) {
      return expiryError(cat("\"", trimmed, "\" is after 9999-12-31T23:59:59Z"));
    }
    return checkRange(seconds);
  }
  absl::Time when;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, av(trimmed), &when, &error)) {
    return expiryError(cat("\"", trimmed, "\" ", kExpiryForms));
  }
  // A JWT's exp is whole seconds; round a fractional time up so the entry never lapses early.
  return checkRange(absl::ToUnixSeconds(absl::Ceil(when - absl::UnixEpoch(), absl::Seconds(1)) + absl::UnixEpoch()));
}

absl::StatusOr<RevocationRequest> revocationFromJson(std::string_view body) {
  json::error_code ec;
  json::value parsed = json::parse(body, ec);
  if (ec) {
    return absl::InvalidArgumentError(cat("body: not valid JSON (", ec.message(), ")"));
  }
  if (!parsed.is_object()) {
    return absl::InvalidArgumentError("body: must be a JSON object {\"jti\": ..., \"expires_at\"?: ...}");
  }
  RevocationRequest out;
  bool has_jti = false;
  for (const auto& [key, value] : parsed.as_object()) {
    const std::string_view name(key);
    if (name == "jti") {
      if (!value.is_string()) return absl::InvalidArgumentError("jti: must be a string");
      out.jti = std::string(value.as_string());
      has_jti = true;
    } else if (name == "expires_at") {
      if (value.is_null()) continue;  // explicitly none
      absl::StatusOr<int64_t> expiry = expiryFromJson(value);
      if (!expiry.ok()) return expiry.status();
      out.expires_at = *expiry;
    } else {
      return absl::InvalidArgumentError(cat(name, ": unknown field; allowed: jti, expires_at"));
    }
  }
  if (!has_jti) {
    return absl::InvalidArgumentError("jti: required");
  }
  if (absl::Status status = registry::validateJti(out.jti); !status.ok()) {
    return status;
  }
  return out;
}

void addRevocationRoutes(http::PathRouter& router, registry::RevocationStore& store) {
  constexpr char kCollection[] = "/v1/jwt/revocations";
  router.add("POST", kCollection, [&store](const http::HttpRequest& request, const http::PathParams&) {
    absl::StatusOr<RevocationRequest> parsed = revocationFromJson(request.body);
    if (!parsed.ok()) {
      return fromStatus(parsed.status());
    }
    auto result = store.add(parsed->jti, parsed->expires_at);
    if (!result.ok()) {
      return fromStatus(result.status());
    }
    json::object body;
    body["created"] = result->created;
    body["revocation"] = tokenToJson(result->token);
    return http::jsonResponse(json::serialize(body), result->created ? 201 : 200);
  });
  router.add("GET", kCollection, [&store](const http::HttpRequest&, const http::PathParams&) {
    json::array entries;
    for (const registry::RevokedToken& token : store.list()) {
      entries.push_back(tokenToJson(token));
    }
    json::object body;
    body["count"] = entries.size();
    body["limit"] = store.maxEntries();
    body["revocations"] = std::move(entries);
    return http::jsonResponse(json::serialize(body));
  });
  router.add("DELETE", cat(kCollection, "/{jti}"),
             [&store](const http::HttpRequest&, const http::PathParams& params) {
               const std::string& jti = params.find("jti")->second;
               if (absl::Status status = store.remove(jti); !status.ok()) {
                 return fromStatus(status);
               }
               json::object body;
               body["deleted"] = true;
               body["jti"] = jti;
               return http::jsonResponse(json::serialize(body));
             });
}

}  // namespace portico::cp::admin
