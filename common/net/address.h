#pragma once

// Small address helpers shared by flags, the registry and xDS validation.

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace portico::net {

struct HostPort {
  std::string host;
  uint16_t port = 0;
};

// Parses "host:port" or "[v6]:port". The port must be 1..65535.
absl::StatusOr<HostPort> parseHostPort(std::string_view text);

// True for an IPv4 dotted quad or an IPv6 literal (no brackets).
bool isIpLiteral(std::string_view text);

}  // namespace portico::net
