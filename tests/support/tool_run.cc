#include "tests/support/tool_run.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>

#include "common/strings.h"
#include "tests/support/test_env.h"

extern char** environ;

namespace portico::testing {

namespace {

std::string readAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

bool overridden(const char* entry, const ToolEnv& env) {
  const std::string_view text(entry);
  const std::string_view name = text.substr(0, text.find('='));
  for (const std::string& unset : env.unset) {
    if (name == unset) return true;
  }
  for (const std::string& set : env.set) {
    if (name == std::string_view(set).substr(0, set.find('='))) return true;
  }
  return false;
}

}  // namespace

std::ostream& operator<<(std::ostream& os, const ToolRun& run) {
  return os << "exit " << run.exit_code << "\n--- stdout:\n" << run.out << "--- stderr:\n" << run.err;
}

ToolRun runTool(const std::string& binary, const std::vector<std::string>& args, const ToolEnv& env,
                absl::Duration timeout) {
  static const std::string dir = makeTempDir("tool-run");
  static int count = 0;
  const std::string prefix = cat(dir, "/run-", ++count);
  std::vector<std::string> storage = {binary};
  storage.insert(storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& arg : storage) argv.push_back(arg.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_storage;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    if (!overridden(*entry, env)) env_storage.emplace_back(*entry);
  }
  env_storage.insert(env_storage.end(), env.set.begin(), env.set.end());
  std::vector<char*> envp;
  for (std::string& entry : env_storage) envp.push_back(entry.data());
  envp.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, (prefix + ".out").c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, (prefix + ".err").c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, binary.c_str(), &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  ToolRun run;
  if (rc != 0) {
    run.err = cat("cannot start ", binary, ": ", std::strerror(rc));
    return run;
  }
  int status = 0;
  if (!waitUntil([&] { return waitpid(pid, &status, WNOHANG) == pid; }, timeout, absl::Milliseconds(5))) {
    ::kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    run.out = readAll(prefix + ".out");
    run.err = cat(readAll(prefix + ".err"), "\n(", binary, " killed: still running after ",
                  absl::FormatDuration(timeout), ")");
    return run;
  }
  if (WIFEXITED(status)) {
    run.exit_code = WEXITSTATUS(status);
  }
  run.out = readAll(prefix + ".out");
  run.err = readAll(prefix + ".err");
  return run;
}

}  // namespace portico::testing
