#include "data-plane/redis/redis_target.h"

#include <utility>

#include "common/strings.h"
#include "data-plane/redis/client.h"
#include "portico/filters/common/v1/redis.pb.h"

namespace portico::dp::redis {

absl::StatusOr<Target> compileTarget(const portico::filters::common::v1::Redis& in, ClientRegistry* registry,
                                     size_t worker_count, std::string_view required_because) {
  if (in.address().empty()) {
    return absl::InvalidArgumentError(
        required_because.empty() ? std::string("redis.address: required")
                                 : cat("redis.address: required ", required_because));
  }
  absl::StatusOr<std::shared_ptr<Client>> client =
      registry != nullptr ? registry->get(in.address()) : privateClient(in.address(), worker_count);
  if (!client.ok()) return absl::InvalidArgumentError(cat("redis.address: ", client.status().message()));
  Target out;
  out.client = std::move(*client);
  if (in.has_timeout()) {
    const auto& d = in.timeout();
    if (d.seconds() < 0 || d.nanos() < 0) return absl::InvalidArgumentError("redis.timeout: must not be negative");
    const auto timeout = std::chrono::milliseconds(d.seconds() * 1000 + d.nanos() / 1000000);
    if (timeout.count() > 0) out.timeout = timeout;
  }
  return out;
}

}  // namespace portico::dp::redis
