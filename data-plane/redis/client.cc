#include "data-plane/redis/client.h"

#include <openssl/sha.h>

#include <boost/asio/this_coro.hpp>

#include <map>
#include <mutex>
#include <utility>

#include "absl/strings/match.h"
#include "common/metrics/sharded_metrics.h"
#include "common/strings.h"
#include "data-plane/redis/command.h"

namespace portico::dp::redis {

namespace {

std::string sha1Hex(const std::string& text) {
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * SHA_DIGEST_LENGTH);
  for (unsigned char byte : digest) {
    out.push_back(kHex[byte >> 4]);
    out.push_back(kHex[byte & 15]);
  }
  return out;
}

std::string scriptCommand(std::string_view verb, std::string_view script, const std::vector<std::string>& keys,
                          const std::vector<std::string>& args) {
  CommandBuilder command;
  command.arg(verb).arg(script).arg(static_cast<int64_t>(keys.size()));
  for (const auto& key : keys) command.arg(key);
  for (const auto& arg : args) command.arg(arg);
  return command.finish();
}

}  // namespace

Script::Script(std::string text) : text_(std::move(text)), sha1_(sha1Hex(text_)) {}

Client::Client(Address address, size_t worker_count, metrics::CounterFamily* commands)
    : address_(std::move(address)), commands_(commands), connections_(worker_count) {}

Connection& Client::connection(size_t worker, net::Executor executor) {
  auto& slot = connections_[worker];
  if (slot == nullptr) {
    CommandCounters counters;
    counters.shard = static_cast<int>(worker);
    if (commands_ != nullptr) {
      counters.ok = commands_->get({{"address", address_.text}, {"result", "ok"}});
      counters.timeout = commands_->get({{"address", address_.text}, {"result", "timeout"}});
      counters.unavailable = commands_->get({{"address", address_.text}, {"result", "unavailable"}});
    }
    slot = std::make_shared<Connection>(executor, address_, counters);
  }
  return *slot;
}

net::Awaitable<absl::StatusOr<Reply>> Client::execute(size_t worker, std::string command,
                                                      Connection::Clock::duration timeout) {
  auto executor = co_await boost::asio::this_coro::executor;
  co_return co_await connection(worker, executor).execute(std::move(command), timeout);
}

net::Awaitable<absl::StatusOr<Reply>> Client::runScript(size_t worker, const Script& script,
                                                        std::vector<std::string> keys, std::vector<std::string> args,
                                                        Connection::Clock::duration timeout) {
  auto executor = co_await boost::asio::this_coro::executor;
  Connection& connection = this->connection(worker, executor);
  auto reply = co_await connection.execute(scriptCommand("EVALSHA", script.sha1(), keys, args), timeout);
  if (reply.ok() && reply->isError() && absl::StartsWith(reply->text, "NOSCRIPT")) {
    reply = co_await connection.execute(scriptCommand("EVAL", script.text(), keys, args), timeout);
  }
  if (reply.ok() && reply->isError()) {
    co_return absl::InternalError(cat("redis ", address_.text, ": ", reply->text));
  }
  co_return reply;
}

void Client::shutdown() {
  for (auto& connection : connections_) {
    if (connection != nullptr) connection->shutdown();
  }
}

absl::StatusOr<std::shared_ptr<Client>> privateClient(std::string_view address, size_t worker_count) {
  auto parsed = parseAddress(address);
  if (!parsed.ok()) return parsed.status();
  return std::make_shared<Client>(std::move(*parsed), worker_count, nullptr);
}

struct ClientRegistry::State {
  std::mutex mu;
  std::map<std::string, std::shared_ptr<Client>, std::less<>> clients;
};

ClientRegistry::ClientRegistry(size_t worker_count)
    : worker_count_(worker_count),
      commands_(std::make_shared<metrics::CounterFamily>(
          "portico_proxy_redis_commands_total",
          "Commands this proxy sent to Redis (rate limits, quotas, the shared cache), by server and result: ok (a reply), timeout "
          "(none in time), unavailable (not connected or the connection broke).",
          static_cast<int>(worker_count))),
      state_(std::make_unique<State>()) {}

ClientRegistry::~ClientRegistry() = default;

absl::StatusOr<std::shared_ptr<Client>> ClientRegistry::get(std::string_view address) {
  std::lock_guard<std::mutex> lock(state_->mu);
  if (auto it = state_->clients.find(address); it != state_->clients.end()) return it->second;
  auto parsed = parseAddress(address);
  if (!parsed.ok()) return parsed.status();
  auto client = std::make_shared<Client>(std::move(*parsed), worker_count_, commands_.get());
  state_->clients.emplace(std::string(address), client);
  return client;
}

}  // namespace portico::dp::redis

namespace portico::dp::redis {

void ClientRegistry::shutdown() {
  std::lock_guard<std::mutex> lock(state_->mu);
  for (auto& [address, client] : state_->clients) client->shutdown();
}

}  // namespace portico::dp::redis
