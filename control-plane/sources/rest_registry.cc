#include "control-plane/sources/rest_registry.h"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "absl/time/time.h"
#include "common/status/status_macros.h"
#include "common/strings.h"
#include "control-plane/registry/instance_validator.h"

namespace portico::cp::sources {

namespace json = boost::json;

namespace {

absl::Status fieldError(std::string_view field, std::string_view problem) {
  return absl::InvalidArgumentError(cat(field, ": ", problem));
}

// `min` is the smallest value the field accepts, so the message states the real range (0 may
// still be accepted as "use the default", which the range then shows).
absl::StatusOr<uint32_t> readUint(const json::value& value, std::string_view field, uint64_t min, uint64_t max) {
  if (value.is_int64() && value.as_int64() >= 0 && static_cast<uint64_t>(value.as_int64()) >= min &&
      static_cast<uint64_t>(value.as_int64()) <= max) {
    return static_cast<uint32_t>(value.as_int64());
  }
  if (value.is_uint64() && value.as_uint64() >= min && value.as_uint64() <= max) {
    return static_cast<uint32_t>(value.as_uint64());
  }
  if (value.is_int64() || value.is_uint64()) {
    return fieldError(field, cat(json::serialize(value), " is out of range (", min, "..", max, ")"));
  }
  return fieldError(field, "must be an integer");
}

absl::Status readMetadata(const json::value& value, registry::Instance& instance) {
  if (!value.is_object()) {
    return fieldError("metadata", "must be an object of string values");
  }
  for (const auto& [key, entry] : value.as_object()) {
    if (!entry.is_string()) {
      return fieldError(cat("metadata.", std::string_view(key)), "must be a string");
    }
    (*instance.mutable_metadata())[std::string(key)] = std::string(entry.as_string());
  }
  return absl::OkStatus();
}

absl::Status readField(std::string_view key, const json::value& value, registry::Instance& instance) {
  if (key == "address") {
    if (!value.is_string()) return fieldError(key, "must be a string");
    instance.set_address(std::string(value.as_string()));
  } else if (key == "port") {
    auto port = readUint(value, key, 1, 65535);
    if (!port.ok()) return port.status();
    instance.set_port(*port);
  } else if (key == "weight") {
    auto weight = readUint(value, key, 0, registry::kMaxWeight);
    if (!weight.ok()) return weight.status();
    instance.set_weight(*weight);
  } else if (key == "ttl_seconds") {
    auto ttl = readUint(value, key, 0, registry::kMaxTtlSeconds);
    if (!ttl.ok()) return ttl.status();
    instance.set_ttl_seconds(*ttl);
  } else if (key == "zone") {
    if (!value.is_string()) return fieldError(key, "must be a string");
    instance.set_zone(std::string(value.as_string()));
  } else if (key == "metadata") {
    return readMetadata(value, instance);
  } else {
    return fieldError(key, "unknown field; allowed: address, port, weight, zone, metadata, ttl_seconds");
  }
  return absl::OkStatus();
}

std::string formatTime(int64_t unix_ms) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::FromUnixMillis(unix_ms), absl::UTCTimeZone());
}

http::HttpResponse fromStatus(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kInvalidArgument:
      return http::jsonError(400, "invalid_argument", sv(status.message()));
    case absl::StatusCode::kNotFound:
      return http::jsonError(404, "not_found", sv(status.message()));
    default:
      return http::jsonError(500, "internal", sv(status.message()));
  }
}

}  // namespace

absl::StatusOr<registry::Instance> instanceFromJson(std::string_view body, const std::string& service,
                                                    const std::string& id) {
  json::error_code ec;
  json::value parsed = json::parse(body, ec);
  if (ec) {
    return absl::InvalidArgumentError(cat("body: not valid JSON (", ec.message(), ")"));
  }
  if (!parsed.is_object()) {
    return absl::InvalidArgumentError("body: must be a JSON object");
  }
  registry::Instance instance;
  instance.set_service(service);
  instance.set_id(id);
  for (const auto& [key, value] : parsed.as_object()) {
    RETURN_IF_ERROR(readField(std::string_view(key), value, instance));
  }
  if (!parsed.as_object().contains("port")) {
    return fieldError("port", "required (1..65535)");
  }
  RETURN_IF_ERROR(registry::validateAndDefault(instance));
  return instance;
}

json::object instanceToJson(const registry::Instance& instance) {
  json::object out;
  out["service"] = instance.service();
  out["id"] = instance.id();
  out["address"] = instance.address();
  out["port"] = instance.port();
  out["weight"] = instance.weight();
  out["zone"] = instance.zone();
  json::object metadata;
  for (const auto& [key, value] : instance.metadata()) {
    metadata[key] = value;
  }
  out["metadata"] = std::move(metadata);
  out["ttl_seconds"] = instance.ttl_seconds();
  out["expires_at"] = formatTime(instance.expires_unix_ms());
  return out;
}

void addRegistryRoutes(http::PathRouter& router, registry::Store& store) {
  constexpr char kInstance[] = "/v1/services/{service}/instances/{id}";

  router.add("PUT", kInstance, [&store](const http::HttpRequest& request, const http::PathParams& p) {
    auto instance = instanceFromJson(request.body, p.find("service")->second, p.find("id")->second);
    if (!instance.ok()) {
      return fromStatus(instance.status());
    }
    auto result = store.upsert(*instance);
    if (!result.ok()) {
      return fromStatus(result.status());
    }
    json::object body;
    body["created"] = result->created;
    body["instance"] = instanceToJson(result->instance);
    return http::jsonResponse(json::serialize(body), result->created ? 201 : 200);
  });

  router.add("POST", std::string(kInstance) + "/heartbeat",
             [&store](const http::HttpRequest&, const http::PathParams& p) {
               auto result = store.heartbeat(p.find("service")->second, p.find("id")->second);
               if (!result.ok()) {
                 return fromStatus(result.status());
               }
               json::object body;
               body["instance"] = instanceToJson(*result);
               return http::jsonResponse(json::serialize(body));
             });

  router.add("DELETE", kInstance, [&store](const http::HttpRequest&, const http::PathParams& p) {
    absl::Status status = store.remove(p.find("service")->second, p.find("id")->second);
    if (!status.ok()) {
      return fromStatus(status);
    }
    json::object body;
    body["deleted"] = true;
    body["service"] = p.find("service")->second;
    body["id"] = p.find("id")->second;
    return http::jsonResponse(json::serialize(body));
  });

  router.add("GET", "/v1/services", [&store](const http::HttpRequest&, const http::PathParams&) {
    json::array services;
    for (const auto& [name, instances] : store.state()) {
      json::object entry;
      entry["name"] = name;
      entry["instances"] = instances.size();
      services.push_back(std::move(entry));
    }
    json::object body;
    body["services"] = std::move(services);
    return http::jsonResponse(json::serialize(body));
  });

  router.add("GET", "/v1/services/{service}", [&store](const http::HttpRequest&, const http::PathParams& p) {
    const std::string& service = p.find("service")->second;
    std::vector<registry::Instance> instances = store.list(service);
    if (instances.empty()) {
      return http::jsonError(404, "not_found", cat("service \"", service, "\" has no registered instances"));
    }
    json::array list;
    for (const auto& instance : instances) {
      list.push_back(instanceToJson(instance));
    }
    json::object body;
    body["name"] = service;
    body["instances"] = std::move(list);
    return http::jsonResponse(json::serialize(body));
  });
}

}  // namespace portico::cp::sources
