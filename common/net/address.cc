#include "common/strings.h"
#include "common/net/address.h"

#include <arpa/inet.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace portico::net {

absl::StatusOr<HostPort> parseHostPort(std::string_view text) {
  HostPort out;
  std::string_view port_text;
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return absl::InvalidArgumentError(cat("bad address \"", text, "\"; expected [v6]:port"));
    }
    out.host = std::string(text.substr(1, close - 1));
    port_text = text.substr(close + 2);
  } else {
    size_t colon = text.rfind(':');
    if (colon == std::string_view::npos || colon == 0) {
      return absl::InvalidArgumentError(cat("bad address \"", text, "\"; expected host:port"));
    }
    out.host = std::string(text.substr(0, colon));
    port_text = text.substr(colon + 1);
  }
  uint32_t port = 0;
  if (!absl::SimpleAtoi(av(port_text), &port) || port == 0 || port > 65535) {
    return absl::InvalidArgumentError(cat("bad port in \"", text, "\"; expected 1..65535"));
  }
  out.port = static_cast<uint16_t>(port);
  return out;
}

bool isIpLiteral(std::string_view text) {
  if (text.empty() || text.size() > 45) {
    return false;
  }
  std::string copy(text);
  unsigned char buf[sizeof(struct in6_addr)];
  return inet_pton(AF_INET, copy.c_str(), buf) == 1 || inet_pton(AF_INET6, copy.c_str(), buf) == 1;
}

}  // namespace portico::net
