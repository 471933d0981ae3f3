// porticoctl cache purge | purges: the response cache's purges (/v1/cache/purge; see
// control-plane/admin/cache_purge_api.h).

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "common/strings.h"
#include "tools/porticoctl/command.h"
#include "tools/porticoctl/table.h"

namespace portico::tools::porticoctl {

namespace json = boost::json;

namespace {

int usage(Context& context, std::string_view message) {
  context.err << "porticoctl cache: " << message << "\nRun 'porticoctl cache --help' for more.\n";
  return kExitError;
}

std::string orAll(const json::object& object, std::string_view key, std::string_view all) {
  const std::string value = stringField(object, key);
  return value.empty() ? std::string(all) : value;
}

// "route R, paths under P" / "every route" ...: what a purge covers, in words.
std::string scope(const json::object& purge) {
  const std::string route = stringField(purge, "route");
  const std::string prefix = stringField(purge, "prefix");
  if (route.empty() && prefix.empty()) return "everything";
  if (prefix.empty()) return cat("route ", route);
  if (route.empty()) return cat("paths under ", prefix, " (every route)");
  return cat("route ", route, ", paths under ", prefix);
}

int runPurge(const ParsedArgs& args, Context& context) {
  if (args.positional.size() != 1) return usage(context, "purge takes no argument (use --route and --prefix)");
  json::object body;
  if (args.has("route")) {
    if (args.get("route").empty()) return usage(context, "--route needs a route name");
    body["route"] = args.get("route");
  }
  if (args.has("prefix")) {
    if (args.get("prefix").empty()) return usage(context, "--prefix needs a path such as /users");
    body["prefix"] = args.get("prefix");
  }
  CallResult result = context.cp.call("POST", "/v1/cache/purge", json::serialize(body), context.err);
  if (result.exit_code != kExitOk) return result.exit_code;
  if (context.json_output) {
    context.out << result.body << '\n';
    return kExitOk;
  }
  auto answer = parseObject(result.body, context.err);
  if (!answer) return kExitError;
  const json::object* purge = objectField(*answer, "purge");
  if (purge == nullptr) {
    context.err << "porticoctl: unexpected answer: " << result.body << '\n';
    return kExitError;
  }
  context.out << "purge " << numberField(*purge, "id") << " queued: " << scope(*purge)
              << " (the proxies apply it with the next config push)\n";
  return kExitOk;
}

int runList(const ParsedArgs& args, Context& context) {
  if (args.positional.size() != 1) return usage(context, "purges takes no argument");
  CallResult result = context.cp.call("GET", "/v1/cache/purges", "", context.err);
  if (result.exit_code != kExitOk) return result.exit_code;
  if (context.json_output) {
    context.out << result.body << '\n';
    return kExitOk;
  }
  auto answer = parseObject(result.body, context.err);
  if (!answer) return kExitError;
  Table table({"ID", "ROUTE", "PREFIX", "AT"});
  if (const json::array* purges = arrayField(*answer, "purges")) {
    for (const json::value& value : *purges) {
      if (!value.is_object()) continue;
      const json::object& purge = value.as_object();
      table.addRow({numberField(purge, "id"), orAll(purge, "route", "*"), orAll(purge, "prefix", "*"),
                    stringField(purge, "at")});
    }
  }
  if (table.empty()) {
    context.err << "no purges since the control plane started\n";
    return kExitOk;
  }
  table.print(context.out);
  context.out << "the last " << table.size() << " (at most " << numberField(*answer, "limit") << " are kept)\n";
  return kExitOk;
}

int runCache(const ParsedArgs& args, Context& context) {
  const std::string& action = args.positional[0];
  if (action != "purge" && (args.has("route") || args.has("prefix"))) {
    return usage(context, "--route and --prefix go with 'cache purge'");
  }
  if (action == "purge") return runPurge(args, context);
  if (action == "purges") return runList(args, context);
  return usage(context, cat("unknown action \"", action, "\"; want purge or purges"));
}

}  // namespace

std::vector<Command> cacheCommands() {
  std::vector<Command> commands;
  commands.push_back(Command{
      "cache",
      "cache purge [--route=ROUTE] [--prefix=PATH] | cache purges",
      "Purge cached responses from every proxy's cache; list recent purges.",
      "  purge      remove cached responses: of one route (--route), under a path prefix\n"
      "             (--prefix, matched against the request path), both, or, with neither,\n"
      "             everything. Pushed to the proxies of every group that runs the cache plugin.\n"
      "  purges     the recent purges the control plane keeps and pushes (oldest first)\n"
      "A proxy that was disconnected while more purges than the control plane keeps were made\n"
      "empties its whole cache when it reconnects. See docs/cache.md.\n",
      {{"route", "ROUTE", "with purge: only this route's entries"},
       {"prefix", "PATH", "with purge: only entries whose request path starts with PATH"}},
      1,
      1,
      runCache});
  return commands;
}

}  // namespace portico::tools::porticoctl
