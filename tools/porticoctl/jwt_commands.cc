// porticoctl jwt revoke | revocations | unrevoke: the JWT revocation list
// (/v1/jwt/revocations; see control-plane/admin/revocation_api.h).

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "common/strings.h"
#include "tools/porticoctl/command.h"
#include "tools/porticoctl/table.h"

namespace portico::tools::porticoctl {

namespace json = boost::json;

namespace {

constexpr char kCollection[] = "/v1/jwt/revocations";

int usage(Context& context, std::string_view message) {
  context.err << "porticoctl jwt: " << message << "\nRun 'porticoctl jwt --help' for more.\n";
  return kExitError;
}

// Unix seconds travel as a JSON number, anything else as a string the control plane parses
// (RFC 3339) and, when it is neither, refuses with a message naming expires_at.
json::value expiryValue(const std::string& text) {
  if (!text.empty() && text.size() < 19 && text.find_first_not_of("0123456789") == std::string::npos) {
    return json::value(std::stoll(text));
  }
  return json::value(text);
}

std::string expiryText(const json::object& entry) {
  const std::string expires = stringField(entry, "expires");
  return expires.empty() ? "never" : expires;
}

int runRevoke(const ParsedArgs& args, Context& context) {
  if (args.positional.size() != 2) {
    return usage(context, "revoke takes exactly one JTI");
  }
  json::object body;
  body["jti"] = args.positional[1];
  if (args.has("expires-at")) {
    body["expires_at"] = expiryValue(args.get("expires-at"));
  }
  CallResult result = context.cp.call("POST", kCollection, json::serialize(body), context.err);
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
  const json::object* entry = objectField(*answer, "revocation");
  const json::value* created = answer->if_contains("created");
  const bool was_created = created != nullptr && created->is_bool() && created->as_bool();
  context.out << (was_created ? "revoked " : "updated revocation of ") << args.positional[1]
              << " (expires: " << (entry != nullptr ? expiryText(*entry) : "?") << ")\n";
  return kExitOk;
}

int runUnrevoke(const ParsedArgs& args, Context& context) {
  if (args.positional.size() != 2) {
    return usage(context, "unrevoke takes exactly one JTI");
  }
  CallResult result =
      context.cp.call("DELETE", cat(kCollection, "/", urlEncode(args.positional[1])), "", context.err);
  if (result.exit_code != kExitOk) {
    return result.exit_code;
  }
  if (context.json_output) {
    context.out << result.body << '\n';
  } else {
    context.out << "unrevoked " << args.positional[1] << '\n';
  }
  return kExitOk;
}

int runList(const ParsedArgs& args, Context& context) {
  if (args.positional.size() != 1) {
    return usage(context, "revocations takes no argument");
  }
  CallResult result = context.cp.call("GET", kCollection, "", context.err);
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
  Table table({"JTI", "EXPIRES", "REVOKED AT"});
  if (const json::array* entries = arrayField(*answer, "revocations")) {
    for (const json::value& value : *entries) {
      if (value.is_object()) {
        const json::object& entry = value.as_object();
        table.addRow({stringField(entry, "jti"), expiryText(entry), stringField(entry, "revoked_at")});
      }
    }
  }
  if (table.empty()) {
    context.err << "no tokens revoked\n";
    return kExitOk;
  }
  table.print(context.out);
  context.out << table.size() << " of at most " << numberField(*answer, "limit") << " entries\n";
  return kExitOk;
}

int runJwt(const ParsedArgs& args, Context& context) {
  const std::string& action = args.positional[0];
  if (action != "revoke" && args.has("expires-at")) {
    return usage(context, "--expires-at goes with 'jwt revoke'");
  }
  if (action == "revoke") return runRevoke(args, context);
  if (action == "unrevoke") return runUnrevoke(args, context);
  if (action == "revocations") return runList(args, context);
  return usage(context, cat("unknown action \"", action, "\"; want revoke, revocations or unrevoke"));
}

}  // namespace

std::vector<Command> jwtCommands() {
  std::vector<Command> commands;
  commands.push_back(Command{
      "jwt",
      "jwt revoke JTI [--expires-at=TIME] | jwt revocations | jwt unrevoke JTI",
      "Revoke JWTs by id (jti), list revocations, lift one.",
      "  revoke JTI      the proxies refuse tokens whose jti claim is JTI, in every gateway group\n"
      "                  that runs the jwt plugin (pushed like any config change)\n"
      "  revocations     list the revoked ids, their expiry and when they were revoked\n"
      "  unrevoke JTI    remove JTI from the list\n"
      "--expires-at is the token's own exp (unix seconds, or RFC 3339 such as\n"
      "2030-01-01T00:00:00Z): the entry is dropped once it passed (plus the clock-skew allowance),\n"
      "since exp then refuses the token anyway. Without it the entry stays until unrevoked.\n"
      "Revocations live in the control plane's memory: a restart of portico-cp forgets them.\n",
      {{"expires-at", "TIME", "with revoke: the token's expiry, unix seconds or RFC 3339"}},
      1,
      2,
      runJwt});
  return commands;
}

}  // namespace portico::tools::porticoctl
