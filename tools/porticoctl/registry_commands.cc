// porticoctl register | deregister | heartbeat | services: the registry REST API
// (/v1/services/...; see control-plane/sources/rest_registry.h).

#include <algorithm>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <cstdint>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/strings.h"
#include "tools/porticoctl/command.h"
#include "tools/porticoctl/table.h"

namespace portico::tools::porticoctl {

namespace json = boost::json;

namespace {

std::string instancePath(const ParsedArgs& args) {
  return cat("/v1/services/", urlEncode(args.positional[0]), "/instances/",
             urlEncode(args.positional[1]));
}

// "in 29s", "in 4m10s", "in 2h3m", "expired"; the raw text when it does not parse.
std::string expiresIn(const std::string& expires_at, absl::Time now) {
  absl::Time when;
  std::string error;
  if (expires_at.empty() || !absl::ParseTime("%Y-%m-%dT%H:%M:%E*SZ", av(expires_at),
                                             absl::UTCTimeZone(), &when, &error)) {
    return expires_at;
  }
  int64_t seconds = absl::ToInt64Seconds(absl::Ceil(when - now, absl::Seconds(1)));
  if (seconds <= 0) {
    return "expired";
  }
  if (seconds < 60) {
    return cat("in ", seconds, "s");
  }
  if (seconds < 3600) {
    return cat("in ", seconds / 60, "m", seconds % 60, "s");
  }
  return cat("in ", seconds / 3600, "h", (seconds % 3600) / 60, "m");
}

std::string metadataText(const json::object& instance) {
  const json::object* metadata = objectField(instance, "metadata");
  if (metadata == nullptr) {
    return "";
  }
  std::vector<std::string> entries;  // sorted: the API's map order is arbitrary
  for (const auto& [key, value] : *metadata) {
    entries.push_back(
        cat(std::string_view(key), "=",
            value.is_string() ? std::string(value.as_string()) : json::serialize(value)));
  }
  std::sort(entries.begin(), entries.end());
  return absl::StrJoin(entries, ",");
}

std::string hostPort(const json::object& instance) {
  std::string address = stringField(instance, "address");
  if (address.find(':') != std::string::npos) {
    address = cat("[", address, "]");
  }
  return cat(address, ":", numberField(instance, "port"));
}

// The instance in a register/heartbeat answer, described in one line.
std::string describeInstance(const json::object& instance) {
  std::string text = cat(stringField(instance, "service"), "/", stringField(instance, "id"), " at ",
                         hostPort(instance), " (weight ", numberField(instance, "weight"));
  if (std::string zone = stringField(instance, "zone"); !zone.empty()) {
    text = cat(text, ", zone ", zone);
  }
  return cat(text, ", ttl ", numberField(instance, "ttl_seconds"), "s, expires ",
             expiresIn(stringField(instance, "expires_at"), absl::Now()), ")");
}

bool readUint(const ParsedArgs& args, std::string_view flag, uint64_t& out, std::string& error) {
  std::string text = args.get(flag);
  if (!absl::SimpleAtoi(av(text), &out)) {
    error = cat("--", flag, "=", text, ": want a non-negative integer");
    return false;
  }
  return true;
}

int runRegister(const ParsedArgs& args, Context& context) {
  auto usage = [&context](std::string_view message) {
    context.err << "porticoctl register: " << message
                << "\nRun 'porticoctl register --help' for more.\n";
    return kExitError;
  };
  if (!args.has("address") || args.get("address").empty()) {
    return usage("--address is required");
  }
  if (!args.has("port")) {
    return usage("--port is required");
  }
  json::object body;
  body["address"] = args.get("address");
  std::string error;
  uint64_t number = 0;
  if (!readUint(args, "port", number, error)) {
    return usage(error);
  }
  body["port"] = number;
  if (args.has("weight")) {
    if (!readUint(args, "weight", number, error)) {
      return usage(error);
    }
    body["weight"] = number;
  }
  if (args.has("ttl")) {
    if (!readUint(args, "ttl", number, error)) {
      return usage(error);
    }
    body["ttl_seconds"] = number;
  }
  if (args.has("zone")) {
    body["zone"] = args.get("zone");
  }
  if (args.has("meta")) {
    json::object metadata;
    for (const std::string& entry : args.all("meta")) {
      size_t eq = entry.find('=');
      if (eq == std::string::npos || eq == 0) {
        return usage(cat("--meta=", entry, ": want KEY=VALUE"));
      }
      metadata[entry.substr(0, eq)] = entry.substr(eq + 1);
    }
    body["metadata"] = std::move(metadata);
  }
  CallResult result =
      context.cp.call("PUT", instancePath(args), json::serialize(body), context.err);
  if (result.exit_code != kExitOk) {
    return result.exit_code;
  }
  if (context.json_output) {
    context.out << result.body << '\n';
    return kExitOk;
  }
  auto answer = parseObject(result.body, context.err);
  if (!answer) {
    return kExitError;
  }
  const json::object* instance = objectField(*answer, "instance");
  const json::value* created = answer->if_contains("created");
  bool was_created = created != nullptr && created->is_bool() && created->as_bool();
  context.out << (was_created ? "registered " : "updated ")
              << (instance != nullptr ? describeInstance(*instance)
                                      : cat(args.positional[0], "/", args.positional[1]))
              << '\n';
  return kExitOk;
}

int runDeregister(const ParsedArgs& args, Context& context) {
  CallResult result = context.cp.call("DELETE", instancePath(args), "", context.err);
  if (result.exit_code != kExitOk) {
    return result.exit_code;
  }
  if (context.json_output) {
    context.out << result.body << '\n';
  } else {
    context.out << "deregistered " << args.positional[0] << "/" << args.positional[1] << '\n';
  }
  return kExitOk;
}

int runHeartbeat(const ParsedArgs& args, Context& context) {
  CallResult result =
      context.cp.call("POST", cat(instancePath(args), "/heartbeat"), "", context.err);
  if (result.exit_code != kExitOk) {
    return result.exit_code;
  }
  if (context.json_output) {
    context.out << result.body << '\n';
    return kExitOk;
  }
  auto answer = parseObject(result.body, context.err);
  if (!answer) {
    return kExitError;
  }
  const json::object* instance = objectField(*answer, "instance");
  context.out << "renewed "
              << (instance != nullptr ? describeInstance(*instance)
                                      : cat(args.positional[0], "/", args.positional[1]))
              << '\n';
  return kExitOk;
}

int listServices(Context& context) {
  CallResult result = context.cp.call("GET", "/v1/services", "", context.err);
  if (result.exit_code != kExitOk) {
    return result.exit_code;
  }
  if (context.json_output) {
    context.out << result.body << '\n';
    return kExitOk;
  }
  auto answer = parseObject(result.body, context.err);
  if (!answer) {
    return kExitError;
  }
  Table table({"SERVICE", "INSTANCES"});
  if (const json::array* services = arrayField(*answer, "services")) {
    for (const json::value& entry : *services) {
      if (entry.is_object()) {
        table.addRow(
            {stringField(entry.as_object(), "name"), numberField(entry.as_object(), "instances")});
      }
    }
  }
  if (table.empty()) {
    context.err << "no services registered\n";
    return kExitOk;
  }
  table.print(context.out);
  return kExitOk;
}

int showService(const std::string& service, Context& context) {
  CallResult result =
      context.cp.call("GET", cat("/v1/services/", urlEncode(service)), "", context.err);
  if (result.exit_code != kExitOk) {
    return result.exit_code;
  }
  if (context.json_output) {
    context.out << result.body << '\n';
    return kExitOk;
  }
  auto answer = parseObject(result.body, context.err);
  if (!answer) {
    return kExitError;
  }
  Table table({"ID", "ADDRESS", "WEIGHT", "ZONE", "EXPIRES", "METADATA"});
  absl::Time now = absl::Now();
  if (const json::array* instances = arrayField(*answer, "instances")) {
    for (const json::value& entry : *instances) {
      if (!entry.is_object()) {
        continue;
      }
      const json::object& instance = entry.as_object();
      table.addRow({stringField(instance, "id"), hostPort(instance),
                    numberField(instance, "weight"), stringField(instance, "zone"),
                    expiresIn(stringField(instance, "expires_at"), now), metadataText(instance)});
    }
  }
  table.print(context.out);
  return kExitOk;
}

}  // namespace

std::vector<Command> registryCommands() {
  std::vector<Command> commands;
  commands.push_back(Command{
      "register",
      "register SERVICE ID --address=A --port=P [--weight=W] [--zone=Z] [--ttl=SECONDS] "
      "[--meta=KEY=VALUE ...]",
      "Register (or update) instance ID of SERVICE.",
      "The registration is a lease: renew it with 'porticoctl heartbeat' before the TTL runs out\n"
      "(the control plane's default TTL is 30 s), or it expires and the instance leaves the "
      "load balancing set.\n",
      {{"address", "A", "address the proxies connect to (IP or host name), required"},
       {"port", "P", "port, required"},
       {"weight", "W", "load balancing weight (default 1)"},
       {"zone", "Z", "zone (locality) of the instance"},
       {"ttl", "SECONDS", "lease length (default: the control plane's, 30)"},
       {"meta", "KEY=VALUE", "metadata entry", true}},
      2,
      2,
      runRegister});
  commands.push_back(Command{"deregister",
                             "deregister SERVICE ID",
                             "Remove instance ID of SERVICE now.",
                             "",
                             {},
                             2,
                             2,
                             runDeregister});
  commands.push_back(Command{"heartbeat",
                             "heartbeat SERVICE ID",
                             "Renew the lease of instance ID of SERVICE.",
                             "Fails with 'not registered' when the lease already expired (or the\n"
                             "control plane restarted): register again.\n",
                             {},
                             2,
                             2,
                             runHeartbeat});
  commands.push_back(Command{
      "services",
      "services [SERVICE]",
      "List registered services, or the instances of one service.",
      "Without SERVICE: one row per service with its instance count. With SERVICE: one row per\n"
      "instance: id, address:port, weight, zone, when its lease expires, metadata.\n",
      {},
      0,
      1,
      [](const ParsedArgs& args, Context& context) {
        return args.positional.empty() ? listServices(context)
                                       : showService(args.positional[0], context);
      }});
  return commands;
}

}  // namespace portico::tools::porticoctl
