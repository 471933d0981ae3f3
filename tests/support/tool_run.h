#pragma once

// Runs a command-line tool (porticoctl, ...) to completion for a test: stdout and stderr
// captured separately, the environment adjusted, bounded in time.

#include <ostream>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace portico::testing {

struct ToolRun {
  int exit_code = -1;  // -1: did not start, did not exit normally, or had to be killed
  std::string out;
  std::string err;     // when the tool could not be run: why
};

// "exit N", then stdout and stderr: for test failure messages.
std::ostream& operator<<(std::ostream& os, const ToolRun& run);

struct ToolEnv {
  std::vector<std::string> set;    // "NAME=value", added (or replacing the inherited value)
  std::vector<std::string> unset;  // "NAME", removed from the inherited environment
};

// Runs `binary args...` with this process's environment adjusted by `env`; stdin is
// /dev/null. Killed (exit_code -1) after `timeout`.
ToolRun runTool(const std::string& binary, const std::vector<std::string>& args, const ToolEnv& env = {},
                absl::Duration timeout = absl::Seconds(30));

}  // namespace portico::testing
