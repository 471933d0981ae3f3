#pragma once

// A filter config's `redis` block (portico.filters.common.v1.Redis) compiled once for every
// filter that uses Redis (rate-limit, quota, cache): the server's client and the per-command
// timeout. Errors name the field (`redis.address`, `redis.timeout`).

#include <chrono>
#include <memory>
#include <string_view>

#include "absl/status/statusor.h"

namespace portico::filters::common::v1 {
class Redis;
}

namespace portico::dp::redis {

class Client;
class ClientRegistry;

// The per-command timeout when the config gives none (the plugins' documented default).
inline constexpr std::chrono::milliseconds kDefaultTimeout{50};

struct Target {
  std::shared_ptr<Client> client;
  std::chrono::milliseconds timeout = kDefaultTimeout;
};

// The client comes from `registry` (shared by the process's filters across snapshots), or is a
// private one when `registry` is null (unit tests). `required_because` ends the message of a
// missing address ("with policy REDIS"; may be empty).
absl::StatusOr<Target> compileTarget(const portico::filters::common::v1::Redis& in, ClientRegistry* registry,
                                     size_t worker_count, std::string_view required_because);

}  // namespace portico::dp::redis
