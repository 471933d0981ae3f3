#include "tools/porticoctl/cli.h"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "common/net/address.h"
#include "common/strings.h"
#include "tools/porticoctl/command.h"

namespace portico::tools::porticoctl {

namespace json = boost::json;

namespace {

constexpr std::string_view kDefaultCp = "127.0.0.1:18001";
constexpr int kDefaultTimeoutSeconds = 5;

std::vector<FlagSpec> globalFlags() {
  return {
      {"cp", "HOST:PORT",
       cat("control plane admin address (default: $PORTICO_CP, else ", kDefaultCp, ")")},
      {"token", "TOKEN",
       "the control plane's admin token, sent as 'Authorization: Bearer TOKEN' (default: "
       "$PORTICO_TOKEN; prefer the variable: flags show in the process list)"},
      {"output", "FORMAT", "table (default) or json: the API's JSON as received"},
      {"timeout", "SECONDS", cat("per-request timeout (default ", kDefaultTimeoutSeconds, ")")},
      {"help", "", "show help"},
  };
}

std::vector<Command> allCommands() {
  std::vector<Command> commands = registryCommands();
  for (Command& command : statusCommands()) {
    commands.push_back(std::move(command));
  }
  for (Command& command : jwtCommands()) {
    commands.push_back(std::move(command));
  }
  for (Command& command : cacheCommands()) {
    commands.push_back(std::move(command));
  }
  for (Command& command : localCommands()) {
    commands.push_back(std::move(command));
  }
  return commands;
}

const Command* findCommand(const std::vector<Command>& commands, std::string_view name) {
  for (const Command& command : commands) {
    if (command.name == name) {
      return &command;
    }
  }
  return nullptr;
}

void printUsage(std::ostream& out, const std::vector<Command>& commands) {
  out << "porticoctl: command-line client of the Portico control plane (portico-cp)\n\n"
         "Usage: porticoctl [GLOBAL FLAGS] COMMAND [ARGS] [FLAGS]\n\nCommands:\n";
  size_t width = 0;
  for (const Command& command : commands) {
    width = std::max(width, command.name.size());
  }
  for (const Command& command : commands) {
    out << "  " << command.name << std::string(width - command.name.size() + 3, ' ')
        << command.summary << '\n';
  }
  out << "\nGlobal flags:\n"
      << flagHelp(globalFlags())
      << "\nRun 'porticoctl COMMAND --help' for a command's arguments and flags.\n"
         "Exit codes: 0 ok, 1 error (API or usage), 2 control plane unreachable.\n";
}

void printCommandHelp(std::ostream& out, const Command& command) {
  out << "Usage: porticoctl " << command.usage << "\n\n" << command.summary << '\n';
  if (!command.details.empty()) {
    out << '\n' << command.details;
    if (command.details.back() != '\n') {
      out << '\n';
    }
  }
  if (!command.flags.empty()) {
    out << "\nFlags:\n" << flagHelp(command.flags);
  }
  out << "\nGlobal flags:\n" << flagHelp(globalFlags());
}

bool takesValue(std::string_view arg) {
  for (const FlagSpec& spec : globalFlags()) {
    if (spec.takesValue() && arg == cat("--", spec.name)) {
      return true;
    }
  }
  return false;
}

// Index of the command word: the first argument that is neither a flag nor a flag's value.
std::optional<size_t> commandIndex(const std::vector<std::string>& args) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") {
      return i + 1 < args.size() ? std::optional<size_t>(i + 1) : std::nullopt;
    }
    if (!arg.empty() && arg[0] == '-') {
      if (takesValue(arg)) {
        ++i;
      }
      continue;
    }
    return i;
  }
  return std::nullopt;
}

absl::StatusOr<net::HostPort> cpAddress(std::string text) {
  for (std::string_view scheme : {"http://", "https://"}) {
    if (std::string_view(text).substr(0, scheme.size()) == scheme) {
      text.erase(0, scheme.size());
    }
  }
  while (!text.empty() && text.back() == '/') {
    text.pop_back();
  }
  auto parsed = net::parseHostPort(text);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(
        cat("--cp=", text, ": ", sv(parsed.status().message()), " (want HOST:PORT)"));
  }
  return parsed;
}

int usageError(std::ostream& err, const Command& command, std::string_view message) {
  err << "porticoctl " << command.name << ": " << message << "\nUsage: porticoctl " << command.usage
      << "\nRun 'porticoctl " << command.name << " --help' for more.\n";
  return kExitError;
}

}  // namespace

std::optional<json::object> parseObject(const std::string& body, std::ostream& err) {
  json::error_code ec;
  json::value parsed = json::parse(body, ec);
  if (ec || !parsed.is_object()) {
    err << "porticoctl: the control plane answered with something that is not a JSON object: "
        << body.substr(0, 200) << '\n';
    return std::nullopt;
  }
  return std::move(parsed.as_object());
}

std::string stringField(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  return value != nullptr && value->is_string() ? std::string(value->as_string()) : "";
}

std::string numberField(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  if (value == nullptr) {
    return "";
  }
  if (value->is_int64()) {
    return std::to_string(value->as_int64());
  }
  if (value->is_uint64()) {
    return std::to_string(value->as_uint64());
  }
  if (value->is_string()) {  // proto3 JSON renders 64-bit integers as strings
    return std::string(value->as_string());
  }
  return "";
}

const json::object* objectField(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  return value != nullptr && value->is_object() ? &value->as_object() : nullptr;
}

const json::array* arrayField(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  return value != nullptr && value->is_array() ? &value->as_array() : nullptr;
}

int runCli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
           const char* env_cp, const char* env_token) {
  const std::vector<Command> commands = allCommands();
  std::optional<size_t> index = commandIndex(args);
  if (!index) {
    auto parsed = parseArgs(args, globalFlags());
    if (parsed.ok() && parsed->flag("help")) {
      printUsage(out, commands);
      return kExitOk;
    }
    if (!parsed.ok()) {
      err << "porticoctl: " << sv(parsed.status().message()) << "\n\n";
    }
    printUsage(err, commands);
    return kExitError;
  }
  std::string name = args[*index];
  std::vector<std::string> rest;
  for (size_t i = 0; i < args.size(); ++i) {
    if (i != *index) {
      rest.push_back(args[i]);
    }
  }
  if (name == "help") {  // "porticoctl help [COMMAND]"
    auto parsed = parseArgs(rest, globalFlags());
    if (parsed.ok() && !parsed->positional.empty()) {
      if (const Command* command = findCommand(commands, parsed->positional[0])) {
        printCommandHelp(out, *command);
        return kExitOk;
      }
    }
    printUsage(out, commands);
    return kExitOk;
  }
  const Command* command = findCommand(commands, name);
  if (command == nullptr) {
    err << "porticoctl: unknown command \"" << name << "\"; run 'porticoctl --help' for the list\n";
    return kExitError;
  }
  std::vector<FlagSpec> specs = command->flags;
  for (FlagSpec& spec : globalFlags()) {
    specs.push_back(std::move(spec));
  }
  auto parsed = parseArgs(rest, specs);
  if (!parsed.ok()) {
    return usageError(err, *command, sv(parsed.status().message()));
  }
  if (parsed->flag("help")) {
    printCommandHelp(out, *command);
    return kExitOk;
  }
  size_t given = parsed->positional.size();
  if (given < command->min_positional) {
    return usageError(err, *command, "missing arguments");
  }
  if (given > command->max_positional) {
    return usageError(
        err, *command,
        cat("unexpected argument \"", parsed->positional[command->max_positional], "\""));
  }
  std::string output = parsed->get("output", "table");
  if (output != "table" && output != "json") {
    return usageError(err, *command, cat("--output=", output, ": want table or json"));
  }
  int timeout_seconds = kDefaultTimeoutSeconds;
  if (parsed->has("timeout")) {
    if (!absl::SimpleAtoi(av(parsed->get("timeout")), &timeout_seconds) || timeout_seconds <= 0) {
      return usageError(err, *command, "--timeout: want a positive number of seconds");
    }
  }
  std::string cp_text = parsed->get(
      "cp", env_cp != nullptr && *env_cp != '\0' ? std::string_view(env_cp) : kDefaultCp);
  auto address = cpAddress(cp_text);
  if (!address.ok()) {
    return usageError(err, *command, sv(address.status().message()));
  }
  std::string token = parsed->get("token", env_token != nullptr ? std::string_view(env_token) : "");
  token = std::string(sv(absl::StripAsciiWhitespace(av(token))));
  CpClient client(*address, absl::Seconds(timeout_seconds), std::move(token));
  Context context{client, output == "json", out, err};
  return command->run(*parsed, context);
}

}  // namespace portico::tools::porticoctl
