#pragma once

// Starts our binaries and real servers (nginx, redis, ...) as child processes for integration
// tests, and stops them by PID. Output goes to a log file that failing tests print.

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace portico::testing {

class Process {
 public:
  // Starts `binary` with `args`; stdout and stderr go to `log_path` (created/truncated).
  // `env` entries ("NAME=value") are added to the inherited environment.
  static absl::StatusOr<std::unique_ptr<Process>> start(const std::string& binary,
                                                        const std::vector<std::string>& args,
                                                        const std::string& log_path,
                                                        const std::vector<std::string>& env = {});
  // Kills with SIGKILL if still running.
  ~Process();

  pid_t pid() const { return pid_; }
  bool running();
  // Sends `signal` (default SIGTERM) and waits up to `timeout` for exit, then SIGKILLs.
  // Returns the exit status as from waitpid (or -1 if it had to be killed).
  int stop(int signal = 15, absl::Duration timeout = absl::Seconds(10));
  // Sends a signal without waiting.
  void signal(int signal);
  // The last `max_bytes` of the log.
  std::string logTail(size_t max_bytes = 4096) const;
  const std::string& logPath() const { return log_path_; }

 private:
  Process(pid_t pid, std::string log_path) : pid_(pid), log_path_(std::move(log_path)) {}
  pid_t pid_;
  std::string log_path_;
  bool reaped_ = false;
  int status_ = 0;
};

}  // namespace portico::testing
