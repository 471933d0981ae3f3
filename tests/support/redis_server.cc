#include "tests/support/redis_server.h"

#include <hiredis/hiredis.h>

#include <csignal>
#include <cstdlib>

#include "absl/strings/str_join.h"
#include "common/strings.h"
#include "tests/support/test_env.h"

namespace portico::testing {

namespace {

std::string replyText(const redisReply& reply) {
  switch (reply.type) {
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
    case REDIS_REPLY_ERROR:
      return std::string(reply.str, reply.len);
    case REDIS_REPLY_INTEGER:
      return std::to_string(reply.integer);
    case REDIS_REPLY_ARRAY: {
      std::vector<std::string> parts;
      for (size_t i = 0; i < reply.elements; ++i) parts.push_back(replyText(*reply.element[i]));
      return absl::StrJoin(parts, ",");
    }
    default:
      return "(nil)";
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<RedisServer>> RedisServer::start(const std::string& dir) {
  std::unique_ptr<RedisServer> server(new RedisServer(dir, pickFreePort()));
  if (absl::Status status = server->launch(); !status.ok()) return status;
  return server;
}

RedisServer::~RedisServer() {
  if (process_ != nullptr) {
    process_->signal(SIGCONT);
    process_->stop(SIGKILL);
  }
}

absl::Status RedisServer::launch() {
  const char* binary = std::getenv("PORTICO_REDIS_SERVER");
  const std::string log = cat(dir_, "/redis-", port_, "-", ++generation_, ".log");
  auto process = Process::start(binary != nullptr ? binary : "/usr/bin/redis-server",
                                {"--port", std::to_string(port_), "--bind", "127.0.0.1", "--save", "",
                                 "--appendonly", "no", "--daemonize", "no", "--dir", dir_, "--protected-mode", "no"},
                                log);
  if (!process.ok()) return process.status();
  process_ = std::move(*process);
  const bool up = waitUntil(
      [this] {
        auto pong = command({"PING"});
        return pong.ok() && *pong == "PONG";
      },
      absl::Seconds(10));
  if (!up) return absl::UnavailableError(cat("redis-server on port ", port_, " did not answer PING: ", logTail()));
  return absl::OkStatus();
}

absl::StatusOr<std::string> RedisServer::command(const std::vector<std::string>& args) const {
  timeval timeout{1, 0};
  redisContext* context = redisConnectWithTimeout("127.0.0.1", port_, timeout);
  if (context == nullptr || context->err != 0) {
    std::string error = context != nullptr ? context->errstr : "out of memory";
    if (context != nullptr) redisFree(context);
    return absl::UnavailableError(error);
  }
  redisSetTimeout(context, timeout);
  std::vector<const char*> argv;
  std::vector<size_t> lengths;
  for (const auto& arg : args) {
    argv.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  auto* reply = static_cast<redisReply*>(
      redisCommandArgv(context, static_cast<int>(args.size()), argv.data(), lengths.data()));
  absl::StatusOr<std::string> out = absl::UnavailableError(context->errstr);
  if (reply != nullptr) {
    out = reply->type == REDIS_REPLY_ERROR ? absl::StatusOr<std::string>(absl::InternalError(replyText(*reply)))
                                           : absl::StatusOr<std::string>(replyText(*reply));
    freeReplyObject(reply);
  }
  redisFree(context);
  return out;
}

void RedisServer::pause() { process_->signal(SIGSTOP); }

void RedisServer::resume() { process_->signal(SIGCONT); }

void RedisServer::kill() {
  process_->signal(SIGCONT);
  process_->stop(SIGKILL);
  process_.reset();
}

absl::Status RedisServer::restart() { return launch(); }

std::string RedisServer::logTail() const { return process_ != nullptr ? process_->logTail() : "(not running)"; }

}  // namespace portico::testing
