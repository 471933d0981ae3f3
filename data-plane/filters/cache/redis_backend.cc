#include "data-plane/filters/cache/redis_backend.h"

#include <utility>
#include <vector>

#include "common/strings.h"
#include "data-plane/filters/cache/redis_keys.h"
#include "data-plane/redis/client.h"
#include "data-plane/redis/command.h"

namespace portico::dp::filters::cache {

namespace {

using redis::Reply;

// Both scripts compute the generations and fences the same way. KEYS[1..4]: the global and
// route generations, the global and route fences. A missing counter reads as 0.
#define PORTICO_CACHE_FENCES                                                                           \
  "local function n(k) return redis.call('GET', k) or '0' end\n"                                     \
  "local generations = n(KEYS[1]) .. '.' .. n(KEYS[2])\n"                                             \
  "local fences = generations .. '.' .. n(KEYS[3]) .. '.' .. n(KEYS[4])\n"

// ARGV[1]: the entry head, ARGV[2]: the digest part (':' + digest). Returns {generations,
// fences, value or nil}.
const redis::Script& lookupScript() {
  static const redis::Script kScript(PORTICO_CACHE_FENCES R"lua(
return {generations, fences, redis.call('GET', ARGV[1] .. generations .. ARGV[2])}
)lua");
  return kScript;
}

// KEYS[5]: the entry, KEYS[6] (optional): the Vary marker. ARGV: fences seen by the lookup,
// value, TTL (ms), marker value. Returns 1 when written, 0 when a purge intervened.
const redis::Script& storeScript() {
  static const redis::Script kScript(PORTICO_CACHE_FENCES R"lua(
if fences ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[5], ARGV[2], 'PX', ARGV[3])
if KEYS[6] then redis.call('SET', KEYS[6], ARGV[4], 'PX', ARGV[3]) end
return 1
)lua");
  return kScript;
}

#undef PORTICO_CACHE_FENCES

// The four counters' keys for `head`'s route. Built with push_back: GCC 12 cannot compile a
// braced list inside a coroutine.
std::vector<std::string> fenceKeys(std::string_view route) {
  std::vector<std::string> keys;
  keys.push_back(redis_keys::globalGeneration());
  keys.push_back(redis_keys::routeGeneration(route));
  keys.push_back(redis_keys::globalFence());
  keys.push_back(redis_keys::routeFence(route));
  return keys;
}

// The route of an entry head ("portico:cache:e:<route> <path> ").
std::string_view routeOf(std::string_view head) {
  head.remove_prefix(redis_keys::kPrefix.size() + 2);
  return head.substr(0, head.find(' '));
}

}  // namespace

RedisBackend::RedisBackend(std::shared_ptr<redis::Client> client, Duration timeout)
    : client_(std::move(client)), timeout_(timeout) {}

net::Awaitable<absl::StatusOr<RedisBackend::Found>> RedisBackend::lookup(size_t worker, std::string head,
                                                                         std::string primary) const {
  std::vector<std::string> args;
  // The digest part of the key: entryKey() with empty head and generations, minus the ':'.
  const std::string digest = redis_keys::entryKey("", "", primary);
  args.push_back(head);
  args.push_back(digest);
  auto reply = co_await client_->runScript(worker, lookupScript(), fenceKeys(routeOf(head)), std::move(args), timeout_);
  if (!reply.ok()) co_return reply.status();
  const auto& values = reply->elements;
  if (reply->type != Reply::Type::kArray || values.size() != 3 || values[0].type != Reply::Type::kString ||
      values[1].type != Reply::Type::kString ||
      (values[2].type != Reply::Type::kString && values[2].type != Reply::Type::kNil)) {
    co_return absl::InternalError("redis: the cache lookup script's reply is not {generations, fences, value}");
  }
  Found found;
  found.generations = values[0].text;
  found.fences = values[1].text;
  if (values[2].type == Reply::Type::kString) found.value = values[2].text;
  co_return found;
}

net::Awaitable<absl::StatusOr<std::optional<std::string>>> RedisBackend::get(size_t worker, std::string key) const {
  redis::CommandBuilder command;
  command.arg("GET").arg(key);
  auto reply = co_await client_->execute(worker, command.finish(), timeout_);
  if (!reply.ok()) co_return reply.status();
  if (reply->type == Reply::Type::kNil) co_return std::optional<std::string>();
  if (reply->type != Reply::Type::kString) co_return absl::InternalError(cat("redis: GET answered ", reply->text));
  co_return std::optional<std::string>(std::move(reply->text));
}

net::Awaitable<absl::StatusOr<bool>> RedisBackend::store(size_t worker, Store store) const {
  std::vector<std::string> keys = fenceKeys(routeOf(store.key));
  keys.push_back(store.key);
  if (!store.marker_key.empty()) keys.push_back(store.marker_key);
  std::vector<std::string> args;
  args.push_back(std::move(store.fences));
  args.push_back(std::move(store.value));
  args.push_back(std::to_string(std::max<int64_t>(store.ttl.count(), 1)));
  args.push_back(std::move(store.marker_value));
  auto reply = co_await client_->runScript(worker, storeScript(), std::move(keys), std::move(args), timeout_);
  if (!reply.ok()) co_return reply.status();
  if (reply->type != Reply::Type::kInteger) co_return absl::InternalError("redis: the cache store script's reply is not an integer");
  co_return reply->integer == 1;
}

}  // namespace portico::dp::filters::cache
