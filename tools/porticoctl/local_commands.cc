// porticoctl validate | hash-key: commands that work offline, without a control plane.

#include <iostream>

#include "common/hash.h"
#include "common/strings.h"
#include "control-plane/model/config_parser.h"
#include "tools/porticoctl/command.h"

namespace portico::tools::porticoctl {

namespace {

// Exactly the control plane's validation (the same parser), so a file that passes here loads
// there. Secrets given as env/file and descriptor files are resolved here too, so run it where
// those are available.
int runValidate(const ParsedArgs& args, Context& context) {
  const std::string& path = args.positional[0];
  auto config = cp::model::loadConfigFile(path);
  if (!config.ok()) {
    context.err << config.status().message() << "\n";
    return 1;
  }
  context.out << path << ": valid (" << config->listeners.size() << " listeners, " << config->services.size()
              << " services, " << config->routes.size() << " routes, " << config->plugins.size() << " plugins, "
              << config->consumers.size() << " consumers, " << config->groups.size() << " groups)\n";
  return 0;
}

int runHashKey(const ParsedArgs& args, Context& context) {
  context.out << "sha256:" << sha256Hex(args.positional[0]) << "\n";
  return 0;
}

}  // namespace

std::vector<Command> localCommands() {
  std::vector<Command> commands;
  commands.push_back(Command{"validate",
                             "validate FILE",
                             "Validate a portico.yaml offline, exactly as the control plane would.",
                             "Prints every error with file, line and field, and exits 1; exits 0 when the file\n"
                             "is valid. Needs no control plane.\n",
                             {},
                             1,
                             1,
                             runValidate});
  commands.push_back(Command{"hash-key",
                             "hash-key KEY",
                             "Print the sha256:<hex> form of an API key for consumers[].api_keys.",
                             "API keys are configured, pushed and compared only as SHA-256 hashes.\n",
                             {},
                             1,
                             1,
                             runHashKey});
  return commands;
}

}  // namespace portico::tools::porticoctl
