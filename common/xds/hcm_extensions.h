#pragma once

// The HttpConnectionManager's request id and access log settings as Portico carries them, shared
// by the control plane (which emits them) and the proxy (which implements them):
// - access_log: Envoy's FileAccessLog with a SubstitutionFormatString.json_format whose values
//   are the Envoy command operators below, so an Envoy proxy logs the same fields.
// - request_id: Envoy's always_set_request_id_in_response, plus Portico's RequestId message in
//   request_id_extension when the header is not x-request-id (Envoy has no field for it).

#include <string_view>

namespace portico::xds {

inline constexpr std::string_view kFileAccessLogName = "envoy.access_loggers.file";
inline constexpr std::string_view kFileAccessLogType =
    "type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog";
inline constexpr std::string_view kStdoutPath = "/dev/stdout";
inline constexpr std::string_view kStderrPath = "/dev/stderr";

inline constexpr std::string_view kRequestIdType =
    "type.googleapis.com/portico.config.request_id.v1.RequestId";
// Envoy's default request id extension (always x-request-id): accepted as the default.
inline constexpr std::string_view kUuidRequestIdType =
    "type.googleapis.com/envoy.extensions.request_id.uuid.v3.UuidRequestIdConfig";
inline constexpr std::string_view kDefaultRequestIdHeader = "x-request-id";

// Portico's HttpLimits (the HTTP/1.1 limits Envoy's HCM has no field for: request line, body),
// in Listener.metadata.typed_filter_metadata under this key.
inline constexpr std::string_view kHttpLimitsMetadataKey = "portico.http_limits";
inline constexpr std::string_view kHttpLimitsType =
    "type.googleapis.com/portico.config.http.v1.HttpLimits";

// One key of the JSON access log line and the Envoy command operator that fills it.
struct AccessLogField {
  std::string_view key;
  std::string_view command;
};

// Every key Portico logs, in the order of docs/config.md. The request id's operator names the
// configured header: %REQ(<HEADER>)% (see kRequestIdKey).
inline constexpr AccessLogField kAccessLogFields[] = {
    {"time", "%START_TIME%"},
    {"method", "%REQ(:METHOD)%"},
    {"path", "%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%"},
    {"status", "%RESPONSE_CODE%"},
    {"duration_ms", "%DURATION%"},
    {"upstream", "%UPSTREAM_HOST%"},
    {"route", "%ROUTE_NAME%"},
    {"client_ip", "%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%"},
    {"bytes_sent", "%BYTES_SENT%"},
};
inline constexpr std::string_view kRequestIdKey = "request_id";

// A request id header name Portico accepts: a lower-case HTTP token (RFC 9110 §5.6.2) of at
// most 64 characters that is not a header the proxy manages itself (framing, routing,
// forwarding, credentials).
inline bool validRequestIdHeader(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  constexpr std::string_view kReserved[] = {"host",
                                            "content-length",
                                            "content-type",
                                            "transfer-encoding",
                                            "connection",
                                            "keep-alive",
                                            "proxy-connection",
                                            "te",
                                            "trailer",
                                            "upgrade",
                                            "expect",
                                            "authorization",
                                            "cookie",
                                            "set-cookie",
                                            "location",
                                            "server",
                                            "x-forwarded-for",
                                            "x-forwarded-proto"};
  for (std::string_view reserved : kReserved) {
    if (name == reserved) return false;
  }
  return name.substr(0, 10) != "x-portico-" && name.substr(0, 7) != "x-user-";
}

}  // namespace portico::xds
