#include "control-plane/registry/instance_validator.h"

#include <cctype>

#include "common/net/address.h"
#include "common/strings.h"

namespace portico::cp::registry {
namespace {

bool allCharsIn(std::string_view text, std::string_view extra) {
  for (char c : text) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && extra.find(c) == std::string_view::npos) {
      return false;
    }
  }
  return true;
}

}  // namespace

absl::Status validateServiceName(std::string_view name) {
  if (name.empty() || name.size() > 63 || !std::isalnum(static_cast<unsigned char>(name[0])) ||
      !allCharsIn(name, "._-")) {
    return absl::InvalidArgumentError(cat("service: \"", name,
                                          "\" is not a valid service name (1..63 characters of "
                                          "A-Z a-z 0-9 . _ -, starting with a letter or digit)"));
  }
  return absl::OkStatus();
}

absl::Status validateInstanceId(std::string_view id) {
  if (id.empty() || id.size() > 128 || !allCharsIn(id, "._:-")) {
    return absl::InvalidArgumentError(
        cat("id: \"", id, "\" is not a valid instance id (1..128 characters of A-Z a-z 0-9 . _ : -)"));
  }
  return absl::OkStatus();
}

absl::Status validateAndDefault(Instance& instance) {
  if (absl::Status s = validateServiceName(instance.service()); !s.ok()) return s;
  if (absl::Status s = validateInstanceId(instance.id()); !s.ok()) return s;
  if (instance.address().empty()) {
    return absl::InvalidArgumentError("address: required (an IPv4 or IPv6 literal)");
  }
  if (!net::isIpLiteral(instance.address())) {
    // EDS endpoints must be IP literals (gRPC's xDS client refuses host names), so resolution
    // is the registrant's job.
    return absl::InvalidArgumentError(
        cat("address: \"", instance.address(), "\" is not an IPv4 or IPv6 literal"));
  }
  if (instance.port() == 0 || instance.port() > 65535) {
    return absl::InvalidArgumentError(cat("port: ", instance.port(), " is out of range (1..65535)"));
  }
  if (instance.weight() == 0) {
    instance.set_weight(kDefaultWeight);
  } else if (instance.weight() > kMaxWeight) {
    return absl::InvalidArgumentError(cat("weight: ", instance.weight(), " is out of range (1..", kMaxWeight, ")"));
  }
  if (instance.ttl_seconds() == 0) {
    instance.set_ttl_seconds(kDefaultTtlSeconds);
  } else if (instance.ttl_seconds() > kMaxTtlSeconds) {
    return absl::InvalidArgumentError(
        cat("ttl_seconds: ", instance.ttl_seconds(), " is out of range (1..", kMaxTtlSeconds, ")"));
  }
  if (instance.zone().size() > 64 || !allCharsIn(instance.zone(), "._-")) {
    return absl::InvalidArgumentError("zone: at most 64 characters of A-Z a-z 0-9 . _ -");
  }
  if (instance.metadata_size() > 32) {
    return absl::InvalidArgumentError("metadata: at most 32 entries");
  }
  for (const auto& [key, value] : instance.metadata()) {
    if (key.empty() || key.size() > 64 || value.size() > 256) {
      return absl::InvalidArgumentError(
          cat("metadata: key \"", key, "\" must be 1..64 characters and its value at most 256"));
    }
  }
  instance.set_expires_unix_ms(0);
  return absl::OkStatus();
}

}  // namespace portico::cp::registry
