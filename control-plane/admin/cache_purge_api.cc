#include "control-plane/admin/cache_purge_api.h"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "absl/strings/ascii.h"
#include "absl/time/time.h"
#include "common/strings.h"

namespace portico::cp::admin {

namespace json = boost::json;

namespace {

std::string rfc3339(absl::Time t) { return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone()); }

json::object purgeToJson(const registry::CachePurge& purge) {
  json::object out;
  out["id"] = purge.id;
  out["route"] = purge.route.empty() ? json::value(nullptr) : json::value(purge.route);
  out["prefix"] = purge.path_prefix.empty() ? json::value(nullptr) : json::value(purge.path_prefix);
  out["at"] = rfc3339(purge.at);
  return out;
}

absl::Status stringField(const json::value& value, std::string_view name, std::string& out) {
  if (value.is_null()) return absl::OkStatus();
  if (!value.is_string()) return absl::InvalidArgumentError(cat(name, ": must be a string"));
  out = std::string(value.as_string());
  if (out.empty()) {
    return absl::InvalidArgumentError(cat(name, ": must not be empty (leave it out to purge every ",
                                          name == "route" ? "route" : "path", ")"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<PurgeRequest> purgeFromJson(std::string_view body) {
  PurgeRequest out;
  if (absl::StripAsciiWhitespace(av(body)).empty()) return out;  // no body: everything
  json::error_code ec;
  json::value parsed = json::parse(body, ec);
  if (ec) return absl::InvalidArgumentError(cat("body: not valid JSON (", ec.message(), ")"));
  if (!parsed.is_object()) {
    return absl::InvalidArgumentError("body: must be a JSON object {\"route\"?: ..., \"prefix\"?: ...}");
  }
  for (const auto& [key, value] : parsed.as_object()) {
    const std::string_view name(key);
    if (name == "route") {
      if (absl::Status status = stringField(value, "route", out.route); !status.ok()) return status;
    } else if (name == "prefix") {
      if (absl::Status status = stringField(value, "prefix", out.prefix); !status.ok()) return status;
    } else {
      return absl::InvalidArgumentError(cat(name, ": unknown field; allowed: route, prefix"));
    }
  }
  if (absl::Status status = registry::validatePurge(out.route, out.prefix); !status.ok()) return status;
  return out;
}

void addCachePurgeRoutes(http::PathRouter& router, registry::PurgeLog& log,
                         std::function<bool(const std::string&)> route_known) {
  router.add("POST", "/v1/cache/purge",
             [&log, route_known = std::move(route_known)](const http::HttpRequest& request, const http::PathParams&) {
               absl::StatusOr<PurgeRequest> parsed = purgeFromJson(request.body);
               if (!parsed.ok()) return http::jsonError(400, "invalid_argument", sv(parsed.status().message()));
               if (!parsed->route.empty() && route_known && !route_known(parsed->route)) {
                 return http::jsonError(
                     404, "not_found",
                     cat("no route \"", parsed->route, "\" in the config (nor a registered service of that name)"));
               }
               const registry::CachePurge purge = log.add(std::move(parsed->route), std::move(parsed->prefix));
               json::object body;
               body["purge"] = purgeToJson(purge);
               body["epoch"] = log.epoch();
               return http::jsonResponse(json::serialize(body), 202);
             });
  router.add("GET", "/v1/cache/purges", [&log](const http::HttpRequest&, const http::PathParams&) {
    const registry::PurgeList list = log.list();
    json::array purges;
    for (const registry::CachePurge& purge : list.purges) purges.push_back(purgeToJson(purge));
    json::object body;
    body["epoch"] = list.epoch;
    body["limit"] = log.maxEntries();
    body["purges"] = std::move(purges);
    return http::jsonResponse(json::serialize(body));
  });
}

}  // namespace portico::cp::admin
