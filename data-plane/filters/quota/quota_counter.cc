#include "data-plane/filters/quota/quota_counter.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "common/strings.h"
#include "data-plane/filters/rate_limit/limit_key.h"
#include "data-plane/redis/client.h"

namespace portico::dp::filters::quota {

namespace {

// KEYS[1]: the period's counter. ARGV: limit, the period's end (Unix seconds).
// Returns {allowed (0|1), remaining}.
const redis::Script& quotaScript() {
  static const redis::Script kScript(R"lua(
local limit = tonumber(ARGV[1])
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
if used >= limit then return {0, 0} end
used = redis.call('INCR', KEYS[1])
if used == 1 then redis.call('EXPIREAT', KEYS[1], tonumber(ARGV[2]) + 86400) end
return {1, limit - used}
)lua");
  return kScript;
}

}  // namespace

QuotaCounter::QuotaCounter(std::shared_ptr<redis::Client> client, Settings settings)
    : client_(std::move(client)), settings_(std::move(settings)) {}

net::Awaitable<absl::StatusOr<QuotaCounter::Decision>> QuotaCounter::take(
    size_t worker, const std::string& bucket, std::chrono::system_clock::time_point now) const {
  const QuotaPeriod period = periodAt(settings_.period, now);
  const auto end = std::chrono::duration_cast<std::chrono::seconds>(period.end.time_since_epoch()).count();
  // Built with push_back: GCC 12 cannot compile a braced list inside a coroutine.
  std::vector<std::string> keys;
  keys.push_back(cat(settings_.key_prefix, rate_limit::boundedKey(bucket), ":", period.id));
  std::vector<std::string> args;
  args.push_back(std::to_string(settings_.limit));
  args.push_back(std::to_string(end));
  auto reply = co_await client_->runScript(worker, quotaScript(), std::move(keys), std::move(args), settings_.timeout);
  if (!reply.ok()) co_return reply.status();
  const auto& values = reply->elements;
  if (reply->type != redis::Reply::Type::kArray || values.size() != 2 ||
      values[0].type != redis::Reply::Type::kInteger || values[1].type != redis::Reply::Type::kInteger) {
    co_return absl::InternalError("redis: the quota script's reply is not two integers");
  }
  Decision decision;
  decision.allowed = values[0].integer == 1;
  decision.remaining = static_cast<uint64_t>(std::max<int64_t>(values[1].integer, 0));
  decision.reset = std::chrono::ceil<std::chrono::seconds>(period.end - now);
  co_return decision;
}

}  // namespace portico::dp::filters::quota
