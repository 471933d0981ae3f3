#include "tools/porticoctl/args.h"

#include <algorithm>

#include "common/strings.h"

namespace portico::tools::porticoctl {

namespace {

const FlagSpec* findSpec(const std::vector<FlagSpec>& specs, std::string_view name) {
  for (const FlagSpec& spec : specs) {
    if (spec.name == name) {
      return &spec;
    }
  }
  return nullptr;
}

bool isFlag(std::string_view arg) { return arg.size() > 2 && arg.substr(0, 2) == "--"; }

}  // namespace

std::string ParsedArgs::get(std::string_view name, std::string_view fallback) const {
  auto it = flags.find(name);
  if (it == flags.end() || it->second.empty()) {
    return std::string(fallback);
  }
  return it->second.back();
}

std::vector<std::string> ParsedArgs::all(std::string_view name) const {
  auto it = flags.find(name);
  return it == flags.end() ? std::vector<std::string>{} : it->second;
}

bool ParsedArgs::flag(std::string_view name) const {
  auto it = flags.find(name);
  if (it == flags.end() || it->second.empty()) {
    return false;
  }
  const std::string& value = it->second.back();
  return value == "true" || value == "1";
}

absl::StatusOr<ParsedArgs> parseArgs(const std::vector<std::string>& args,
                                     const std::vector<FlagSpec>& specs) {
  ParsedArgs out;
  bool flags_done = false;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (flags_done) {
      out.positional.emplace_back(arg);
      continue;
    }
    if (arg == "--") {
      flags_done = true;
      continue;
    }
    if (arg == "-h" && findSpec(specs, "help") != nullptr) {
      out.flags["help"].push_back("true");
      continue;
    }
    if (!isFlag(arg)) {
      if (arg.size() > 1 && arg[0] == '-') {
        return absl::InvalidArgumentError(cat("unknown flag ", arg, " (flags are --name=value)"));
      }
      out.positional.emplace_back(arg);
      continue;
    }
    std::string_view body = arg.substr(2);
    std::string_view name = body;
    std::string value;
    bool has_value = false;
    if (size_t eq = body.find('='); eq != std::string_view::npos) {
      name = body.substr(0, eq);
      value = std::string(body.substr(eq + 1));
      has_value = true;
    }
    const FlagSpec* spec = findSpec(specs, name);
    if (spec == nullptr) {
      return absl::InvalidArgumentError(cat("unknown flag --", name));
    }
    if (spec->takesValue() && !has_value) {
      if (i + 1 >= args.size() || isFlag(args[i + 1])) {
        return absl::InvalidArgumentError(
            cat("flag --", name, " needs a value (--", name, "=", spec->value_name, ")"));
      }
      value = args[++i];
    } else if (!spec->takesValue()) {
      if (!has_value) {
        value = "true";
      } else if (value != "true" && value != "false" && value != "1" && value != "0") {
        return absl::InvalidArgumentError(cat("flag --", name, " takes no value"));
      }
    }
    auto& values = out.flags[spec->name];
    if (!values.empty() && !spec->repeated && spec->takesValue()) {
      return absl::InvalidArgumentError(cat("flag --", name, " given more than once"));
    }
    values.push_back(std::move(value));
  }
  return out;
}

std::string flagHelp(const std::vector<FlagSpec>& specs) {
  std::vector<std::string> left;
  size_t width = 0;
  for (const FlagSpec& spec : specs) {
    std::string text = cat("  --", spec.name);
    if (spec.takesValue()) {
      text = cat(text, "=", spec.value_name);
    }
    width = std::max(width, text.size());
    left.push_back(std::move(text));
  }
  std::string out;
  for (size_t i = 0; i < specs.size(); ++i) {
    out += left[i];
    out.append(width - left[i].size() + 3, ' ');
    out += specs[i].help;
    if (specs[i].repeated) {
      out += " (repeatable)";
    }
    out += '\n';
  }
  return out;
}

}  // namespace portico::tools::porticoctl
