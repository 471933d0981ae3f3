#pragma once

// A small command-line parser for porticoctl's subcommands: positional arguments plus
// --key=value, --key value, boolean --key, repeated flags, and "--" to end the flags.
// absl flags are process-global and do not fit per-subcommand flag sets.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace portico::tools::porticoctl {

struct FlagSpec {
  std::string name;        // without dashes, e.g. "address"
  std::string value_name;  // e.g. "HOST" in the help text; empty for a boolean flag
  std::string help;
  bool repeated = false;  // may be given more than once (values are kept in order)

  bool takesValue() const { return !value_name.empty(); }
};

class ParsedArgs {
 public:
  std::vector<std::string> positional;
  std::map<std::string, std::vector<std::string>, std::less<>> flags;  // booleans hold "true"

  bool has(std::string_view name) const { return flags.find(name) != flags.end(); }
  // The last value given for `name`, or `fallback` when it was not given.
  std::string get(std::string_view name, std::string_view fallback = "") const;
  // Every value given for a repeated flag, in order.
  std::vector<std::string> all(std::string_view name) const;
  // A boolean flag: true when given bare or as =true/=1.
  bool flag(std::string_view name) const;
};

// Parses `args` (without the program name) against `specs`. "-h" is "--help" when a spec named
// "help" exists. Unknown flags, missing values and repeats of non-repeated flags are errors
// (InvalidArgument with a message fit for the user).
absl::StatusOr<ParsedArgs> parseArgs(const std::vector<std::string>& args,
                                     const std::vector<FlagSpec>& specs);

// Help lines for `specs`: "  --name=VALUE   help", aligned.
std::string flagHelp(const std::vector<FlagSpec>& specs);

}  // namespace portico::tools::porticoctl
