#pragma once

// Runs a command-line tool (curl, openssl s_client) to completion for a test: stdin from a
// string, stdout and stderr captured together, killed when it outlives its timeout.

#include <string>
#include <vector>

#include "absl/time/time.h"

namespace portico::testing {

struct CommandResult {
  int exit_code = -1;  // -1: killed at the timeout, or did not exit normally
  std::string output;  // stdout and stderr, interleaved
};

// `argv[0]` is looked up on PATH. `env` entries ("NAME=value") are added to the environment.
CommandResult runCommand(const std::vector<std::string>& argv, absl::Duration timeout,
                         const std::string& stdin_text = "",
                         const std::vector<std::string>& env = {});

}  // namespace portico::testing
