#pragma once

// What an echo backend (tools/echo-backend) saw, parsed from its JSON answer as it came back
// through the proxy; and the error code of the proxy's own JSON local replies.

#include <map>
#include <string>

#include "common/http/http_client.h"

namespace portico::testing {

struct EchoReply {
  int status = 0;       // 0: the request failed
  std::string backend;  // the echo backend's name; "" when the answer is not from one
  std::string method;
  std::string path;
  std::string query;
  std::map<std::string, std::string> headers;  // as the backend received them (lower-case names)
  std::string body;  // the raw answer body
};

EchoReply parseEchoReply(const http::ClientResponse& response);

// A request header as the backend received it; "<absent>" when it did not.
std::string headerOf(const EchoReply& reply, const std::string& name);

// The "error" of a local JSON reply ({"error": code, "message": text}); "" when there is none.
std::string localErrorCode(const std::string& body);

}  // namespace portico::testing
