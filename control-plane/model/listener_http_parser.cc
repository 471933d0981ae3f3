// listeners[].http: the HTTP/1.1 limits, timeouts, path normalization and forwarding-header
// settings of one listener. Bounds follow what the wire can carry (Envoy's
// max_request_headers_kb is whole KiB in 1..8192) and what the proxy can afford (bodies are
// buffered whole, so at most 1GB).

#include "common/strings.h"
#include "control-plane/model/parser_internal.h"

namespace portico::cp::model::internal {

namespace {

constexpr uint64_t kKb = 1 << 10;

// A size that must be in [min, max]; `rule` says so in the error.
std::optional<uint64_t> boundedSize(YamlReader& r, const YAML::Node& node, std::string_view key,
                                    const std::string& path, uint64_t min, uint64_t max,
                                    std::string_view rule) {
  auto value = r.size(node, key, path, false);
  if (value && (*value < min || *value > max)) {
    r.error(node[std::string(key)], YamlReader::join(path, key), cat(*value, " bytes: ", rule));
    return std::nullopt;
  }
  return value;
}

std::optional<absl::Duration> boundedDuration(YamlReader& r, const YAML::Node& node,
                                              std::string_view key, const std::string& path,
                                              absl::Duration max, std::string_view rule) {
  auto value = r.duration(node, key, path, false);
  if (value && (*value <= absl::ZeroDuration() || *value > max)) {
    r.error(node[std::string(key)], YamlReader::join(path, key), rule);
    return std::nullopt;
  }
  return value;
}

// The Via value: visible ASCII and inner spaces (it becomes a header value on both sides).
bool validVia(std::string_view value) {
  if (value.size() > 256 || value.front() == ' ' || value.back() == ' ') return false;
  for (const char c : value) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

void parseLimits(YamlReader& r, const YAML::Node& node, const std::string& path,
                 ListenerHttpConfig& out) {
  if (auto v = r.integer(node, "max_header_count", path, false, 1, 10000)) {
    out.max_header_count = static_cast<uint32_t>(*v);
  }
  if (auto v = r.size(node, "max_header_size", path, false)) {
    if (*v % kKb != 0 || *v < kKb || *v > 8192 * kKb) {
      r.error(node["max_header_size"], YamlReader::join(path, "max_header_size"),
              cat(*v, " bytes: must be a whole number of KB from 1KB to 8192KB"));
    } else {
      out.max_header_size = *v;
    }
  }
  if (auto v = boundedSize(r, node, "max_request_line", path, 64, 1 << 20,
                           "must be from 64 bytes to 1MB")) {
    out.max_request_line = *v;
  }
  if (out.max_request_line > out.max_header_size) {
    r.error(node["max_request_line"] ? node["max_request_line"] : node["max_header_size"],
            YamlReader::join(path, "max_request_line"),
            cat(out.max_request_line, " bytes is more than max_header_size (", out.max_header_size,
                " bytes), which includes the request line"));
  }
  if (auto v = boundedSize(r, node, "max_body", path, 0, 1 << 30,
                           "must be at most 1GB (request bodies are buffered whole)")) {
    out.max_body = *v;
  }
}

void parseTimeouts(YamlReader& r, const YAML::Node& node, const std::string& path,
                   ListenerHttpConfig& out) {
  if (auto v = boundedDuration(r, node, "header_timeout", path, absl::Hours(1),
                               "must be more than 0s and at most 1h")) {
    out.header_timeout = *v;
  }
  if (auto v = boundedDuration(r, node, "idle_timeout", path, absl::Hours(24),
                               "must be more than 0s and at most 24h")) {
    out.idle_timeout = *v;
  }
}

void parsePathAndForwarding(YamlReader& r, const YAML::Node& node, const std::string& path,
                            ListenerHttpConfig& out) {
  if (auto v = r.boolean(node, "normalize_path", path)) out.normalize_path = *v;
  if (auto v = r.boolean(node, "merge_slashes", path)) out.merge_slashes = *v;
  if (auto v = r.oneOf(node, "escaped_slashes", path, {"keep", "reject", "unescape"}, false)) {
    using E = ListenerHttpConfig::EscapedSlashes;
    out.escaped_slashes = *v == "reject" ? E::kReject : *v == "unescape" ? E::kUnescape : E::kKeep;
  }
  if (auto v = r.integer(node, "xff_trusted_hops", path, false, 0, 32)) {
    out.xff_trusted_hops = static_cast<uint32_t>(*v);
  }
  if (auto v = r.string(node, "via", path, false)) {
    if (!v->empty() && !validVia(*v)) {
      r.error(node["via"], YamlReader::join(path, "via"),
              "must be at most 256 visible ASCII characters (inner spaces allowed), e.g. "
              "\"1.1 portico\"");
    } else {
      out.via = *v;
    }
  }
}

}  // namespace

ListenerHttpConfig parseListenerHttp(YamlReader& r, const YAML::Node& node, const std::string& path) {
  ListenerHttpConfig out;
  if (!r.expectMap(node, path,
                   {"max_header_count", "max_header_size", "max_request_line", "max_body",
                    "header_timeout", "idle_timeout", "normalize_path", "merge_slashes",
                    "escaped_slashes", "xff_trusted_hops", "via"})) {
    return out;
  }
  parseLimits(r, node, path, out);
  parseTimeouts(r, node, path, out);
  parsePathAndForwarding(r, node, path, out);
  return out;
}

}  // namespace portico::cp::model::internal
