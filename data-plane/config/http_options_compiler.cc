#include "data-plane/config/http_options_compiler.h"

#include "common/strings.h"
#include "common/xds/hcm_extensions.h"
#include "portico/config/http/v1/http_limits.pb.h"

namespace portico::dp::config {

namespace hcm = envoy::extensions::filters::network::http_connection_manager::v3;
using HcmProto = hcm::HttpConnectionManager;

namespace {

// A non-negative protobuf Duration in milliseconds (a positive value below 1 ms counts as
// 1 ms: it must not turn into "no timeout"); nullopt after recording an error.
std::optional<std::chrono::milliseconds> timeout(const google::protobuf::Duration& d,
                                                 const std::string& where,
                                                 std::vector<std::string>& errors) {
  if (d.seconds() < 0 || d.nanos() < 0 || d.nanos() > 999999999 ||
      d.seconds() > 315576000000LL) {
    errors.push_back(cat(where, ": must be a non-negative duration"));
    return std::nullopt;
  }
  int64_t ms = d.seconds() * 1000 + d.nanos() / 1000000;
  if (ms == 0 && d.nanos() > 0) ms = 1;
  return std::chrono::milliseconds(ms);
}

void compileLimits(const HcmProto& manager, const std::string& where, http::HttpOptions& out,
                   std::vector<std::string>& errors) {
  const auto& common = manager.common_http_protocol_options();
  if (common.has_max_headers_count()) {
    if (common.max_headers_count().value() == 0) {
      errors.push_back(cat(where, ".common_http_protocol_options.max_headers_count: must be at least 1"));
    } else {
      out.max_header_count = common.max_headers_count().value();
    }
  }
  if (common.has_idle_timeout()) {
    out.idle_timeout =
        timeout(common.idle_timeout(), cat(where, ".common_http_protocol_options.idle_timeout"), errors);
  }
  if (manager.has_max_request_headers_kb()) {
    const uint32_t kb = manager.max_request_headers_kb().value();
    if (kb == 0 || kb > 8192) {
      errors.push_back(cat(where, ".max_request_headers_kb: ", kb, " is out of range (1..8192)"));
    } else {
      out.max_header_bytes = kb * 1024;
    }
  }
  if (manager.has_request_headers_timeout()) {
    out.header_timeout =
        timeout(manager.request_headers_timeout(), cat(where, ".request_headers_timeout"), errors);
  }
}

void compilePath(const HcmProto& manager, const std::string& where, http::HttpOptions& out,
                 std::vector<std::string>& errors) {
  out.path.normalize = manager.has_normalize_path() && manager.normalize_path().value();
  out.path.merge_slashes = manager.merge_slashes();
  switch (manager.path_with_escaped_slashes_action()) {
    case HcmProto::IMPLEMENTATION_SPECIFIC_DEFAULT:
    case HcmProto::KEEP_UNCHANGED:
      out.path.escaped_slashes = http::EscapedSlashes::kKeep;
      break;
    case HcmProto::REJECT_REQUEST:
      out.path.escaped_slashes = http::EscapedSlashes::kReject;
      break;
    case HcmProto::UNESCAPE_AND_FORWARD:
      out.path.escaped_slashes = http::EscapedSlashes::kUnescape;
      break;
    case HcmProto::UNESCAPE_AND_REDIRECT:
      errors.push_back(cat(where, ".path_with_escaped_slashes_action: UNESCAPE_AND_REDIRECT is not "
                                  "supported (KEEP_UNCHANGED, REJECT_REQUEST, UNESCAPE_AND_FORWARD are)"));
      break;
    default:
      errors.push_back(cat(where, ".path_with_escaped_slashes_action: unknown value ",
                           static_cast<int>(manager.path_with_escaped_slashes_action())));
      break;
  }
}

void compileForwarding(const HcmProto& manager, const std::string& where, http::HttpOptions& out,
                       std::vector<std::string>& errors) {
  out.forwarding.use_remote_address = manager.has_use_remote_address() && manager.use_remote_address().value();
  out.forwarding.xff_trusted_hops = manager.xff_num_trusted_hops();
  if (!manager.via().empty()) {
    if (http::validViaValue(manager.via())) {
      out.forwarding.via = manager.via();
    } else {
      errors.push_back(cat(where, ".via: must be 1..256 visible ASCII characters (inner spaces allowed)"));
    }
  }
  if (manager.original_ip_detection_extensions_size() > 0) {
    errors.push_back(cat(where, ".original_ip_detection_extensions: not supported (use "
                                "use_remote_address and xff_num_trusted_hops)"));
  }
}

}  // namespace

void compileHttpOptions(const HcmProto& manager, const std::string& where, http::HttpOptions& out,
                        std::vector<std::string>& errors) {
  compileLimits(manager, where, out, errors);
  compilePath(manager, where, out, errors);
  compileForwarding(manager, where, out, errors);
}

void compileHttpLimits(const envoy::config::listener::v3::Listener& listener,
                       const std::string& where, http::HttpOptions& out,
                       std::vector<std::string>& errors) {
  const auto& typed = listener.metadata().typed_filter_metadata();
  const auto it = typed.find(std::string(portico::xds::kHttpLimitsMetadataKey));
  if (it == typed.end()) return;
  const std::string mwhere =
      cat(where, ": metadata.typed_filter_metadata[\"", portico::xds::kHttpLimitsMetadataKey, "\"]");
  portico::config::http::v1::HttpLimits limits;
  if (it->second.type_url() != portico::xds::kHttpLimitsType || !it->second.UnpackTo(&limits)) {
    errors.push_back(cat(mwhere, ": expected ", portico::xds::kHttpLimitsType, ", got \"",
                         it->second.type_url(), "\""));
    return;
  }
  if (limits.has_max_request_line_bytes()) {
    if (limits.max_request_line_bytes().value() == 0) {
      errors.push_back(cat(mwhere, ".max_request_line_bytes: must be at least 1"));
    } else {
      out.max_request_line = limits.max_request_line_bytes().value();
    }
  }
  if (limits.has_max_request_body_bytes()) {
    out.max_body_bytes = limits.max_request_body_bytes().value();
  }
}

}  // namespace portico::dp::config
