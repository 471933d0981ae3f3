#pragma once

// A porticoctl subcommand: its flags, help text and the function that runs it. Commands are
// grouped by API (registry_commands.cc, status_commands.cc, jwt_commands.cc, cache_commands.cc)
// and dispatched by cli.cc.

#include <boost/json/object.hpp>
#include <cstddef>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "tools/porticoctl/args.h"
#include "tools/porticoctl/cp_client.h"

namespace portico::tools::porticoctl {

struct Context {
  const CpClient& cp;
  bool json_output = false;  // --output=json: print the API's JSON as received
  std::ostream& out;
  std::ostream& err;
};

struct Command {
  std::string name;
  std::string usage;    // after "porticoctl ", e.g. "deregister SERVICE ID"
  std::string summary;  // one line for the command list
  std::string details;  // more help, may be empty
  std::vector<FlagSpec> flags;
  size_t min_positional = 0;
  size_t max_positional = 0;
  // Runs with the parsed arguments (positional[0] is the first argument after the command).
  // Returns the process exit code.
  std::function<int(const ParsedArgs&, Context&)> run;
};

std::vector<Command> registryCommands();
std::vector<Command> statusCommands();
std::vector<Command> jwtCommands();
std::vector<Command> cacheCommands();
std::vector<Command> localCommands();

// Helpers shared by the commands.

// Parses a successful answer as a JSON object; prints a message and returns nullopt otherwise.
std::optional<boost::json::object> parseObject(const std::string& body, std::ostream& err);
// The string at `key`, or "" when absent or not a string.
std::string stringField(const boost::json::object& object, std::string_view key);
// An integer at `key` as decimal text, or "" when absent or not a number.
std::string numberField(const boost::json::object& object, std::string_view key);
// The object/array at `key`, or nullptr.
const boost::json::object* objectField(const boost::json::object& object, std::string_view key);
const boost::json::array* arrayField(const boost::json::object& object, std::string_view key);

}  // namespace portico::tools::porticoctl
