#include "data-plane/filters/rate_limit/redis_limiter.h"

#include <atomic>
#include <random>
#include <utility>
#include <vector>

#include "common/strings.h"
#include "data-plane/filters/rate_limit/limit_key.h"
#include "data-plane/redis/client.h"

namespace portico::dp::filters::rate_limit {

namespace {

// Each script returns {allowed (0|1), remaining, milliseconds until the reset}. `now` is
// Redis's clock in milliseconds (Lua numbers are doubles: exact for 13-digit millisecond times).
#define PORTICO_REDIS_NOW                                      \
  "local t = redis.call('TIME')\n"                             \
  "local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n"

// KEYS[1]: hash {s: window start, c: count}. ARGV: limit, window (ms).
const redis::Script& fixedWindowScript() {
  static const redis::Script kScript(PORTICO_REDIS_NOW R"lua(
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local start = now - now % window
local state = redis.call('HMGET', KEYS[1], 's', 'c')
local count = 0
if tonumber(state[1]) == start then count = tonumber(state[2]) end
local reset = start + window - now
if count >= limit then return {0, 0, reset} end
count = count + 1
redis.call('HSET', KEYS[1], 's', start, 'c', count)
redis.call('PEXPIRE', KEYS[1], reset)
return {1, limit - count, reset}
)lua");
  return kScript;
}

// KEYS[1]: sorted set of the admitted requests' times. ARGV: limit, window (ms), a member
// unique to this request.
const redis::Script& slidingWindowScript() {
  static const redis::Script kScript(PORTICO_REDIS_NOW R"lua(
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
local allowed = 0
if count < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window)
  count = count + 1
  allowed = 1
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {allowed, limit - count, tonumber(oldest[2]) + window - now}
)lua");
  return kScript;
}

// KEYS[1]: hash {t: tokens, f: time of the last fill}. ARGV: max tokens, tokens per fill, fill
// interval (ms). Envoy's bucket: whole fills of `per` tokens every `interval`.
const redis::Script& tokenBucketScript() {
  static const redis::Script kScript(PORTICO_REDIS_NOW R"lua(
local max = tonumber(ARGV[1])
local per = tonumber(ARGV[2])
local interval = tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 't', 'f')
local tokens = tonumber(state[1])
local filled = tonumber(state[2])
if tokens == nil or filled == nil then
  tokens = max
  filled = now
else
  local fills = math.floor((now - filled) / interval)
  if fills > 0 then
    tokens = math.min(max, tokens + fills * per)
    filled = filled + fills * interval
  end
end
local allowed = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
end
redis.call('HSET', KEYS[1], 't', tokens, 'f', filled)
redis.call('PEXPIRE', KEYS[1], interval * (math.ceil(max / per) + 1))
return {allowed, tokens, filled + interval - now}
)lua");
  return kScript;
}

#undef PORTICO_REDIS_NOW

// A sliding-window log entry must be unique per request across every proxy: a random
// per-process prefix and a per-thread sequence.
std::string uniqueMember(size_t worker) {
  static const uint64_t kProcess = std::random_device{}() * 0x100000001ull ^ std::random_device{}();
  thread_local uint64_t sequence = 0;
  return cat(kProcess, ":", worker, ":", ++sequence);
}

}  // namespace

RedisLimiter::RedisLimiter(std::shared_ptr<redis::Client> client, Settings settings)
    : client_(std::move(client)), settings_(std::move(settings)) {}

net::Awaitable<absl::StatusOr<BucketTable::Decision>> RedisLimiter::take(size_t worker,
                                                                         const std::string& bucket) const {
  const auto window_ms = static_cast<int64_t>(settings_.window.count());
  // Argument vectors are built with push_back: GCC 12 cannot compile a braced list inside a
  // coroutine ("array used as initializer").
  std::vector<std::string> args;
  std::vector<std::string> keys;
  keys.push_back(cat(settings_.key_prefix, boundedKey(bucket)));
  const redis::Script* script = nullptr;
  switch (settings_.algorithm) {
    case Algorithm::kFixedWindow:
      script = &fixedWindowScript();
      args.push_back(std::to_string(settings_.limit));
      args.push_back(std::to_string(window_ms));
      break;
    case Algorithm::kSlidingWindow:
      script = &slidingWindowScript();
      args.push_back(std::to_string(settings_.limit));
      args.push_back(std::to_string(window_ms));
      args.push_back(uniqueMember(worker));
      break;
    case Algorithm::kTokenBucket:
      script = &tokenBucketScript();
      args.push_back(std::to_string(settings_.burst == 0 ? settings_.limit : settings_.burst));
      args.push_back(std::to_string(settings_.limit));
      args.push_back(std::to_string(window_ms));
      break;
  }
  auto reply = co_await client_->runScript(worker, *script, std::move(keys), std::move(args),
                                           settings_.timeout);
  if (!reply.ok()) co_return reply.status();
  const auto& values = reply->elements;
  if (reply->type != redis::Reply::Type::kArray || values.size() != 3 ||
      values[0].type != redis::Reply::Type::kInteger || values[1].type != redis::Reply::Type::kInteger ||
      values[2].type != redis::Reply::Type::kInteger) {
    co_return absl::InternalError("redis: the rate-limit script's reply is not three integers");
  }
  BucketTable::Decision decision;
  decision.allowed = values[0].integer == 1;
  decision.remaining = static_cast<uint64_t>(std::max<int64_t>(values[1].integer, 0));
  decision.reset = std::chrono::milliseconds(std::max<int64_t>(values[2].integer, 0));
  co_return decision;
}

}  // namespace portico::dp::filters::rate_limit
