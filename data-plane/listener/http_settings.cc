#include "data-plane/listener/http_settings.h"

namespace portico::dp::listener {

HttpSettings resolveHttpSettings(const http::HttpOptions* options, const WorkerLimits& defaults) {
  HttpSettings out;
  http::HeadLimits& head = out.decoder.head;
  head.max_header_count = defaults.max_request_headers_count;
  head.max_header_bytes = defaults.max_request_header_bytes;
  head.max_request_line = defaults.max_request_line_bytes;
  out.decoder.max_body_bytes = defaults.max_request_body_bytes;
  out.header_timeout = defaults.request_header_timeout;
  out.idle_timeout = defaults.idle_timeout;
  if (options == nullptr) return out;
  head.max_header_count = options->max_header_count.value_or(head.max_header_count);
  head.max_header_bytes = options->max_header_bytes.value_or(head.max_header_bytes);
  head.max_request_line = options->max_request_line.value_or(head.max_request_line);
  out.decoder.max_body_bytes = options->max_body_bytes.value_or(out.decoder.max_body_bytes);
  out.header_timeout = options->header_timeout.value_or(out.header_timeout);
  out.idle_timeout = options->idle_timeout.value_or(out.idle_timeout);
  out.decoder.path = options->path;
  out.forwarding = options->forwarding;
  return out;
}

}  // namespace portico::dp::listener
