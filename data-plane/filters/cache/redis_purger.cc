#include "data-plane/filters/cache/redis_purger.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include <utility>

#include "common/logging.h"
#include "common/strings.h"
#include "data-plane/filters/cache/cache_stats.h"
#include "data-plane/filters/cache/redis_keys.h"
#include "data-plane/redis/client.h"
#include "data-plane/redis/command.h"

namespace portico::dp::filters::cache {

namespace {

using redis::Reply;
constexpr size_t kWorker = 0;  // the purger's clients have one "worker": its thread
constexpr int64_t kScanCount = 1000;

// KEYS[1]: the purge's marker, KEYS[2]: the counter to INCR. ARGV[1]: the marker's lifetime
// (s). Returns the counter's new value, or 0 when another proxy applied the purge already.
const redis::Script& markerThenIncrScript() {
  static const redis::Script kScript(R"lua(
if redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then return redis.call('INCR', KEYS[2]) end
return 0
)lua");
  return kScript;
}

struct Outcome {
  bool ok = true;
  uint64_t unlinked = 0;
};

std::string describe(const PurgeMatch& match) {
  return cat("route \"", match.route, "\" prefix \"", match.path_prefix, "\"");
}

// SCAN MATCH `pattern` and UNLINK what it finds, batch by batch, until the cursor is back at 0
// or the budget is spent.
net::Awaitable<Outcome> unlinkMatching(redis::Client& client, std::string pattern) {
  Outcome out;
  const auto deadline = std::chrono::steady_clock::now() + RedisPurger::kScanBudget;
  std::string cursor = "0";
  do {
    redis::CommandBuilder scan;
    scan.arg("SCAN").arg(cursor).arg("MATCH").arg(pattern).arg("COUNT").arg(kScanCount);
    auto reply = co_await client.execute(kWorker, scan.finish(), RedisPurger::kCommandTimeout);
    if (!reply.ok() || reply->type != Reply::Type::kArray || reply->elements.size() != 2 ||
        reply->elements[1].type != Reply::Type::kArray) {
      PORTICO_LOG(kWarning, "cache: redis ", client.address().text, ": SCAN for a purge failed: ",
                  reply.ok() ? reply->text : reply.status().ToString());
      out.ok = false;
      co_return out;
    }
    cursor = reply->elements[0].text;
    if (!reply->elements[1].elements.empty()) {
      redis::CommandBuilder unlink;
      unlink.arg("UNLINK");
      for (const Reply& key : reply->elements[1].elements) unlink.arg(key.text);
      auto removed = co_await client.execute(kWorker, unlink.finish(), RedisPurger::kCommandTimeout);
      if (!removed.ok() || removed->type != Reply::Type::kInteger) {
        out.ok = false;
        co_return out;
      }
      out.unlinked += static_cast<uint64_t>(std::max<int64_t>(removed->integer, 0));
    }
    if (std::chrono::steady_clock::now() > deadline) {
      PORTICO_LOG(kWarning, "cache: redis ", client.address().text, ": a prefix purge's SCAN ran out of time (",
                  RedisPurger::kScanBudget.count(), " s); the entries left expire by their TTL");
      out.ok = false;
      co_return out;
    }
  } while (cursor != "0");
  co_return out;
}

// Runs one purge command; marker-guarded (see the header).
net::Awaitable<Outcome> purgeOne(redis::Client& client, uint64_t epoch, const PurgeCommand& command) {
  const PurgeMatch& match = command.match;
  const bool prefix = !match.path_prefix.empty();
  std::string counter;
  if (prefix) {
    counter = match.route.empty() ? redis_keys::globalFence() : redis_keys::routeFence(match.route);
  } else {
    counter = match.route.empty() ? redis_keys::globalGeneration() : redis_keys::routeGeneration(match.route);
  }
  std::vector<std::string> keys;
  keys.push_back(redis_keys::purgeMarker(epoch, command.id));
  keys.push_back(std::move(counter));
  std::vector<std::string> args;
  args.push_back(std::to_string(std::chrono::duration_cast<std::chrono::seconds>(RedisPurger::kMarkerLifetime).count()));
  auto reply = co_await client.runScript(kWorker, markerThenIncrScript(), std::move(keys), std::move(args),
                                         RedisPurger::kCommandTimeout);
  if (!reply.ok() || reply->type != Reply::Type::kInteger) {
    PORTICO_LOG(kWarning, "cache: redis ", client.address().text, ": purge ", command.id, " (", describe(match),
                ") failed: ", reply.ok() ? "unexpected reply" : reply.status().ToString());
    co_return Outcome{false, 0};
  }
  if (reply->integer == 0 || !prefix) co_return Outcome{};  // applied by another proxy, or done
  co_return co_await unlinkMatching(client, redis_keys::prefixPattern(match.route, match.path_prefix));
}

}  // namespace

RedisPurger::RedisPurger(CacheStats& stats) : stats_(stats) {}

RedisPurger::~RedisPurger() {
  std::thread thread;
  {
    std::lock_guard<std::mutex> lock(mu_);
    work_.reset();
    thread = std::move(thread_);
  }
  io_.stop();
  if (thread.joinable()) thread.join();
  std::lock_guard<std::mutex> lock(mu_);
  // The sockets go before the io_context they belong to (redis::ClientRegistry::shutdown).
  for (auto& [address, client] : clients_) client->shutdown();
}

std::shared_ptr<redis::Client> RedisPurger::clientFor(const std::string& address) {
  if (auto it = clients_.find(address); it != clients_.end()) return it->second;
  auto client = redis::privateClient(address, 1);
  if (!client.ok()) return nullptr;  // the config compiled, so the address parsed: not expected
  clients_.emplace(address, *client);
  return *client;
}

void RedisPurger::apply(const std::vector<std::string>& addresses, uint64_t epoch, const PurgePlan& plan) {
  if (plan.empty() || addresses.empty()) return;
  std::lock_guard<std::mutex> lock(mu_);
  if (!thread_.joinable()) {
    work_ = std::make_unique<boost::asio::executor_work_guard<net::Executor>>(io_.get_executor());
    thread_ = std::thread([this] { io_.run(); });
  }
  for (const std::string& address : addresses) {
    auto client = clientFor(address);
    if (client == nullptr) continue;
    pending_.fetch_add(1, std::memory_order_acq_rel);
    boost::asio::co_spawn(io_.get_executor(), run(std::move(client), epoch, plan), boost::asio::detached);
  }
}

net::Awaitable<void> RedisPurger::run(std::shared_ptr<redis::Client> client, uint64_t epoch, PurgePlan plan) {
  // However the coroutine ends (io_context destroyed included), it is no longer pending.
  struct Done {
    std::atomic<int>& pending;
    ~Done() { pending.fetch_sub(1, std::memory_order_acq_rel); }
  } done{pending_};
  if (plan.purge_all) {
    redis::CommandBuilder incr;
    incr.arg("INCR").arg(redis_keys::globalGeneration());
    auto reply = co_await client->execute(kWorker, incr.finish(), kCommandTimeout);
    if (!reply.ok() || reply->type != Reply::Type::kInteger) {
      stats_.redis_purge_errors.fetch_add(1, std::memory_order_relaxed);
      PORTICO_LOG(kWarning, "cache: redis ", client->address().text, ": purging everything failed: ",
                  reply.ok() ? reply->text : reply.status().ToString());
    }
    co_return;
  }
  for (const PurgeCommand& command : plan.commands) {
    const Outcome outcome = co_await purgeOne(*client, epoch, command);
    if (!outcome.ok) stats_.redis_purge_errors.fetch_add(1, std::memory_order_relaxed);
    stats_.purged_entries.fetch_add(outcome.unlinked, std::memory_order_relaxed);
  }
}

bool RedisPurger::waitIdle(std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (pending_.load(std::memory_order_acquire) > 0) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

}  // namespace portico::dp::filters::cache
