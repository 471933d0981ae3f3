#pragma once

// porticoctl's view of the control plane's REST API: one blocking request per call, and the
// CLI's error contract: API errors ({"error", "message"}) are printed and exit 1, a control
// plane that cannot be reached exits 2.

#include <ostream>
#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "common/net/address.h"

namespace portico::tools::porticoctl {

inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;        // API error, bad usage, unexpected answer
inline constexpr int kExitUnreachable = 2;  // connection refused, timeout, reset

struct CallResult {
  int exit_code = kExitOk;  // kExitOk only for a 2xx answer
  int status = 0;           // HTTP status, 0 when there was no answer
  std::string body;
};

class CpClient {
 public:
  // `token`: the control plane's admin token, sent as "Authorization: Bearer <token>" on every
  // request; empty: none.
  CpClient(net::HostPort address, absl::Duration timeout, std::string token = "")
      : address_(std::move(address)), timeout_(timeout), token_(std::move(token)) {}

  // Sends one request. A non-2xx answer or a transport failure is reported on `err` (one line,
  // prefixed "porticoctl: ") and reflected in exit_code.
  CallResult call(std::string_view method, const std::string& target, const std::string& body,
                  std::ostream& err) const;

  // "host:port" as given.
  std::string address() const;

 private:
  net::HostPort address_;
  absl::Duration timeout_;
  std::string token_;
};

// Percent-encodes one path segment or query value (everything but RFC 3986 unreserved).
std::string urlEncode(std::string_view text);

}  // namespace portico::tools::porticoctl
