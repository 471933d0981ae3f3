#pragma once

// porticoctl's entry point as a function, so tests can run it in-process.

#include <ostream>
#include <string>
#include <vector>

namespace portico::tools::porticoctl {

// Runs porticoctl with `args` (without the program name). `env_cp` is $PORTICO_CP and
// `env_token` $PORTICO_TOKEN (either may be null). Returns the exit code: 0 ok, 1 error (API or
// usage), 2 control plane unreachable.
int runCli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
           const char* env_cp, const char* env_token = nullptr);

}  // namespace portico::tools::porticoctl
