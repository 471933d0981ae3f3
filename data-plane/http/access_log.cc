#include "data-plane/http/access_log.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <map>
#include <mutex>

#include "absl/strings/ascii.h"
#include "absl/strings/str_join.h"
#include "common/strings.h"
#include "common/xds/hcm_extensions.h"

namespace portico::dp::http {

namespace {

using Operator = JsonLogFormat::Operator;

constexpr std::string_view kSupported =
    "%START_TIME%, %REQ(:METHOD)%, %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%, %RESPONSE_CODE%, "
    "%DURATION%, %UPSTREAM_HOST%, %ROUTE_NAME%, %REQ(<request id header>)%, "
    "%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%, %BYTES_SENT%";

bool parseOperator(std::string_view value, std::string_view request_id_header, Operator& out) {
  static constexpr std::pair<std::string_view, Operator> kPlain[] = {
      {"%START_TIME%", Operator::kStartTime},
      {"%RESPONSE_CODE%", Operator::kResponseCode},
      {"%DURATION%", Operator::kDuration},
      {"%UPSTREAM_HOST%", Operator::kUpstreamHost},
      {"%ROUTE_NAME%", Operator::kRouteName},
      {"%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%", Operator::kClientIp},
      {"%BYTES_SENT%", Operator::kBytesSent},
  };
  for (const auto& [text, op] : kPlain) {
    if (value == text) {
      out = op;
      return true;
    }
  }
  constexpr std::string_view kReqOpen = "%REQ(";
  constexpr std::string_view kReqClose = ")%";
  if (value.size() <= kReqOpen.size() + kReqClose.size() || value.substr(0, 5) != kReqOpen ||
      value.substr(value.size() - 2) != kReqClose) {
    return false;
  }
  // Envoy's header names in REQ() are case-insensitive.
  const std::string header = absl::AsciiStrToLower(
      av(value.substr(kReqOpen.size(), value.size() - kReqOpen.size() - kReqClose.size())));
  if (header == ":method") {
    out = Operator::kMethod;
  } else if (header == "x-envoy-original-path?:path") {
    out = Operator::kOriginalPath;
  } else if (!request_id_header.empty() && header == request_id_header) {
    out = Operator::kRequestId;
  } else {
    return false;
  }
  return true;
}

void appendString(std::string_view value, std::string& out) {
  out.push_back('"');
  appendJsonEscaped(value, out);
  out.push_back('"');
}

// Envoy's default START_TIME format: %Y-%m-%dT%H:%M:%E3SZ (UTC, milliseconds).
void appendStartTime(std::chrono::system_clock::time_point time, std::string& out) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch());
  const std::time_t seconds = static_cast<std::time_t>(ms.count() / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[40];
  const size_t n = std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%S", &utc);
  out.push_back('"');
  out.append(text, n);
  const int millis = static_cast<int>(ms.count() % 1000);
  out.push_back('.');
  out.push_back(static_cast<char>('0' + millis / 100));
  out.push_back(static_cast<char>('0' + millis / 10 % 10));
  out.push_back(static_cast<char>('0' + millis % 10));
  out.append("Z\"");
}

// The length of the valid UTF-8 sequence at the start of `s`, or 0.
size_t utf8Length(std::string_view s) {
  const auto b = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  const auto cont = [&](size_t i) { return i < s.size() && (b(i) & 0xC0) == 0x80; };
  const unsigned char c = b(0);
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (!cont(1) || !cont(2)) return 0;
    if (c == 0xE0 && b(1) < 0xA0) return 0;   // overlong
    if (c == 0xED && b(1) >= 0xA0) return 0;  // surrogates
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    if (c == 0xF0 && b(1) < 0x90) return 0;   // overlong
    if (c == 0xF4 && b(1) >= 0x90) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;
}

}  // namespace

void appendJsonEscaped(std::string_view text, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      const size_t n = utf8Length(text.substr(i));
      if (n > 0) {
        out.append(text.substr(i, n));
        i += n;
        continue;
      }
    }
    ++i;
    switch (c) {
      case '"':
        out.append("\\\"");
        continue;
      case '\\':
        out.append("\\\\");
        continue;
      case '\n':
        out.append("\\n");
        continue;
      case '\r':
        out.append("\\r");
        continue;
      case '\t':
        out.append("\\t");
        continue;
      default:
        break;
    }
    if (c < 0x20 || c == 0x7f || c >= 0x80) {
      out.append("\\u00");
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xf]);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
}

absl::StatusOr<JsonLogFormat> JsonLogFormat::compile(const google::protobuf::Struct& format,
                                                     std::string_view request_id_header,
                                                     bool omit_empty_values,
                                                     std::string_view where) {
  JsonLogFormat out;
  out.omit_empty_values_ = omit_empty_values;
  std::vector<std::string> errors;
  if (format.fields().empty()) {
    errors.push_back(cat(where, ": at least one key is required"));
  }
  // Keys in sorted order: a protobuf map has none of its own, and a line's shape should not
  // depend on hashing.
  const std::map<std::string, const google::protobuf::Value*> sorted = [&] {
    std::map<std::string, const google::protobuf::Value*> m;
    for (const auto& [key, value] : format.fields()) m[key] = &value;
    return m;
  }();
  for (const auto& [key, value] : sorted) {
    const std::string kwhere = cat(where, ".\"", key, "\"");
    if (value->kind_case() != google::protobuf::Value::kStringValue) {
      errors.push_back(cat(kwhere, ": must be a string holding one command operator"));
      continue;
    }
    Operator op;
    if (!parseOperator(value->string_value(), request_id_header, op)) {
      errors.push_back(cat(kwhere, ": unsupported command operator \"", value->string_value(),
                           "\"; this proxy supports ", kSupported, ", each as the whole value"));
      continue;
    }
    Field field{"", op};
    appendString(key, field.key_json);
    field.key_json.push_back(':');
    out.fields_.push_back(std::move(field));
  }
  if (!errors.empty()) {
    return absl::InvalidArgumentError(absl::StrJoin(errors, "; "));
  }
  return out;
}

void JsonLogFormat::render(const AccessLogEntry& entry, std::string& out) const {
  out.push_back('{');
  bool first = true;
  for (const Field& field : fields_) {
    std::string_view text;  // for string operators; empty: unavailable (null)
    bool is_string = true;
    switch (field.op) {
      case Operator::kMethod:
        text = entry.method;
        break;
      case Operator::kOriginalPath:
        text = entry.path;
        break;
      case Operator::kUpstreamHost:
        text = entry.upstream_host;
        break;
      case Operator::kRouteName:
        text = entry.route;
        break;
      case Operator::kRequestId:
        text = entry.request_id;
        break;
      case Operator::kClientIp:
        text = entry.client_ip;
        break;
      default:
        is_string = false;
        break;
    }
    if (is_string && text.empty() && omit_empty_values_) continue;
    if (!first) out.push_back(',');
    first = false;
    out.append(field.key_json);
    if (is_string) {
      if (text.empty()) {
        out.append("null");
      } else {
        appendString(text, out);
      }
      continue;
    }
    switch (field.op) {
      case Operator::kStartTime:
        appendStartTime(entry.start_time, out);
        break;
      case Operator::kResponseCode:
        out.append(std::to_string(entry.status));
        break;
      case Operator::kDuration:
        out.append(std::to_string(entry.duration_ms));
        break;
      case Operator::kBytesSent:
        out.append(std::to_string(entry.bytes_sent));
        break;
      default:
        out.append("null");
        break;
    }
  }
  out.append("}\n");
}

// ---- files ------------------------------------------------------------------------------------

namespace {

struct FileRegistry {
  std::mutex mu;
  std::map<std::string, std::weak_ptr<AccessLogFile>> files;
};

FileRegistry& registry() {
  static auto* files = new FileRegistry();  // never destroyed: files may outlive main's statics
  return *files;
}

bool pipeLike(int fd) {
  struct stat st {};
  return ::fstat(fd, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode));
}

}  // namespace

absl::StatusOr<std::shared_ptr<AccessLogFile>> AccessLogFile::open(const std::string& path) {
  if (path.empty()) {
    return absl::InvalidArgumentError("path: required");
  }
  FileRegistry& files = registry();
  std::lock_guard<std::mutex> lock(files.mu);
  if (auto it = files.files.find(path); it != files.files.end()) {
    if (std::shared_ptr<AccessLogFile> file = it->second.lock()) return file;
  }
  int fd = -1;
  bool owned = false;
  if (path == portico::xds::kStdoutPath) {
    fd = STDOUT_FILENO;
  } else if (path == portico::xds::kStderrPath) {
    fd = STDERR_FILENO;
  } else {
    fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
      return absl::UnavailableError(cat("path: cannot open \"", path, "\": ", strerror(errno)));
    }
    owned = true;
  }
  std::shared_ptr<AccessLogFile> file(new AccessLogFile(path, fd, owned, pipeLike(fd)));
  files.files[path] = file;
  return file;
}

AccessLogFile::~AccessLogFile() {
  if (owned_) ::close(fd_);
}

bool AccessLogFile::writeAll(std::string_view data) const {
  while (!data.empty()) {
    const ssize_t n = ::write(fd_, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

bool AccessLogFile::writeLines(std::string_view lines) const {
  if (!pipe_like_) return writeAll(lines);
  while (!lines.empty()) {
    size_t end;
    if (lines.size() <= PIPE_BUF) {
      end = lines.size();
    } else {
      end = lines.rfind('\n', PIPE_BUF - 1);
      // A single line longer than PIPE_BUF goes out alone.
      end = end == std::string_view::npos ? lines.find('\n') : end;
      end = end == std::string_view::npos ? lines.size() : end + 1;
    }
    if (!writeAll(lines.substr(0, end))) return false;
    lines.remove_prefix(end);
  }
  return true;
}

}  // namespace portico::dp::http
