#pragma once

// A real redis-server for tests: started on 127.0.0.1 with a port picked at run time, no
// persistence, stopped by PID. Tests can pause it (SIGSTOP: a server that accepts but never
// answers), kill it and start it again on the same port, and talk to it directly (hiredis's
// blocking API) to read or seed counters.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tests/support/process.h"

namespace portico::testing {

class RedisServer {
 public:
  // Starts redis-server (PORTICO_REDIS_SERVER or /usr/bin/redis-server) and waits until it
  // answers PING.
  static absl::StatusOr<std::unique_ptr<RedisServer>> start(const std::string& dir);
  ~RedisServer();

  uint16_t port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

  // One command on a fresh connection; the reply as text: a string or status as is, an
  // integer in decimal, nil as "(nil)", an array as its elements joined by ","; a Redis error
  // is an error status.
  absl::StatusOr<std::string> command(const std::vector<std::string>& args) const;

  void pause();   // SIGSTOP
  void resume();  // SIGCONT
  void kill();    // SIGKILL, waits for the exit
  // Starts it again on the same port (after kill()), with empty memory.
  absl::Status restart();
  std::string logTail() const;

 private:
  RedisServer(std::string dir, uint16_t port) : dir_(std::move(dir)), port_(port) {}
  absl::Status launch();

  std::string dir_;
  uint16_t port_;
  int generation_ = 0;
  std::unique_ptr<Process> process_;
};

}  // namespace portico::testing
