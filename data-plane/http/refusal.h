#pragma once

// Why the proxy refuses a downstream request before routing it: the status, a stable code for
// the JSON local reply ({"error": code, "message": message}) and a human message. Both strings
// are literals, so refusing allocates nothing. A refused request is answered and its
// connection closed: after a framing or syntax error the position of the next request in the
// stream is unknown (RFC 9112 §11.2), and after a limit the client is misbehaving.

#include <string_view>

namespace portico::dp::http {

struct Refusal {
  int status = 0;  // 0: not refused
  std::string_view code;
  std::string_view message;

  explicit operator bool() const { return status != 0; }
};

}  // namespace portico::dp::http
