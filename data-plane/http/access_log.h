#pragma once

// The access log: one JSON line per request, in the fields of an Envoy FileAccessLog whose
// log_format is a json_format (common/xds/hcm_extensions.h lists what portico-cp sends).
// Compiled on the xDS thread into an immutable AccessLog shared by every worker; each worker
// renders lines into its own buffer (AccessLogWriter), so the request path takes no locks.

#include <google/protobuf/struct.pb.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace portico::dp::http {

// What one request leaves for the log, filled once its response has been written. Views point
// into the request's own data and live as long as the request.
struct AccessLogEntry {
  std::chrono::system_clock::time_point start_time;
  std::string_view method;
  std::string_view path;           // the request target as received (before any rewrite)
  int status = 0;                  // 0: no response was sent
  int64_t duration_ms = 0;         // from the request's arrival to the last byte written
  std::string_view upstream_host;  // "ip:port" of the endpoint tried; "" when none
  std::string_view route;          // the matched route's name; "" when none matched
  std::string_view request_id;
  std::string_view client_ip;
  uint64_t bytes_sent = 0;  // response body bytes written to the client
};

// A compiled json_format: the keys (sorted) and the command operator each renders.
class JsonLogFormat {
 public:
  enum class Operator {
    kStartTime,     // %START_TIME%: "2024-05-01T12:00:00.123Z"
    kMethod,        // %REQ(:METHOD)%
    kOriginalPath,  // %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%
    kResponseCode,  // %RESPONSE_CODE%: a number
    kDuration,      // %DURATION%: milliseconds, a number
    kUpstreamHost,  // %UPSTREAM_HOST%
    kRouteName,     // %ROUTE_NAME%
    kRequestId,     // %REQ(<the listener's request id header>)%
    kClientIp,      // %DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%
    kBytesSent,     // %BYTES_SENT%: a number
  };

  // Compiles `format`. Every value must be a string holding exactly one of the operators above;
  // anything else is an error naming the key ("<where>.\"key\": ..."). %REQ(h)% with h equal
  // (case-insensitively) to `request_id_header` renders the request id. Unavailable values
  // render as null, or are left out with `omit_empty_values`.
  static absl::StatusOr<JsonLogFormat> compile(const google::protobuf::Struct& format,
                                               std::string_view request_id_header,
                                               bool omit_empty_values, std::string_view where);

  // Appends one JSON object and '\n' to `out`.
  void render(const AccessLogEntry& entry, std::string& out) const;

 private:
  struct Field {
    std::string key_json;  // the key, already escaped and quoted, with its ':'
    Operator op;
  };
  std::vector<Field> fields_;
  bool omit_empty_values_ = false;
};

// Appends `text` to `out` as the inside of a JSON string: quotes, backslashes and control
// characters escaped; bytes that are not valid UTF-8 written as \u00XX.
void appendJsonEscaped(std::string_view text, std::string& out);

// One open access log file, shared by every listener and worker that logs to its path and
// closed when the last one lets go. "/dev/stdout" and "/dev/stderr" are the process's fds 1
// and 2 (never closed); any other path is opened once with O_APPEND | O_CREAT.
class AccessLogFile {
 public:
  // The file for `path`, opened on first use. Any thread (the xDS thread, in practice).
  static absl::StatusOr<std::shared_ptr<AccessLogFile>> open(const std::string& path);
  ~AccessLogFile();
  AccessLogFile(const AccessLogFile&) = delete;
  AccessLogFile& operator=(const AccessLogFile&) = delete;

  const std::string& path() const { return path_; }
  // Writes `lines` (whole lines only) so that no line is split by another writer: one write()
  // for a regular file (O_APPEND writes are atomic there); for a pipe or socket, chunks of
  // whole lines of at most PIPE_BUF bytes (the size the kernel writes atomically).
  // Returns false when the file refused some of it (the rest is dropped).
  bool writeLines(std::string_view lines) const;

 private:
  AccessLogFile(std::string path, int fd, bool owned, bool pipe_like)
      : path_(std::move(path)), fd_(fd), owned_(owned), pipe_like_(pipe_like) {}
  bool writeAll(std::string_view data) const;

  const std::string path_;
  const int fd_;
  const bool owned_;
  const bool pipe_like_;
};

// One HCM access_log entry, compiled: where and what to write.
struct AccessLog {
  std::shared_ptr<AccessLogFile> file;
  JsonLogFormat format;
};
using AccessLogConstSharedPtr = std::shared_ptr<const AccessLog>;

}  // namespace portico::dp::http
