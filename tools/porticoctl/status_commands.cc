// porticoctl routes | proxies: what the control plane pushes (/v1/config_dump) and what each
// connected proxy acknowledged (/v1/proxies).

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <map>

#include "absl/strings/str_join.h"
#include "common/strings.h"
#include "tools/porticoctl/command.h"
#include "tools/porticoctl/table.h"

namespace portico::tools::porticoctl {

namespace json = boost::json;

namespace {

// ---- routes -------------------------------------------------------------------------------

// A RouteConfiguration to list, with the listeners that use it.
struct RouteSource {
  std::string name;
  const json::object* config = nullptr;
  std::vector<std::string> listeners;
};

// Route-config names referenced (RDS) or embedded (inline route_config) by an
// HttpConnectionManager.
void collectFromHcm(const json::object& hcm, const std::string& listener,
                    std::map<std::string, std::vector<std::string>>& rds_users,
                    std::vector<RouteSource>& inline_configs) {
  if (const json::object* rds = objectField(hcm, "rds")) {
    rds_users[stringField(*rds, "route_config_name")].push_back(listener);
  }
  if (const json::object* config = objectField(hcm, "route_config")) {
    inline_configs.push_back({stringField(*config, "name"), config, {listener}});
  }
}

void collectFromListener(const json::object& listener,
                         std::map<std::string, std::vector<std::string>>& rds_users,
                         std::vector<RouteSource>& inline_configs) {
  std::string name = stringField(listener, "name");
  if (const json::array* chains = arrayField(listener, "filter_chains")) {
    for (const json::value& chain : *chains) {
      const json::array* filters =
          chain.is_object() ? arrayField(chain.as_object(), "filters") : nullptr;
      for (size_t i = 0; filters != nullptr && i < filters->size(); ++i) {
        const json::value& filter = (*filters)[i];
        if (const json::object* hcm =
                filter.is_object() ? objectField(filter.as_object(), "typed_config") : nullptr) {
          collectFromHcm(*hcm, name, rds_users, inline_configs);
        }
      }
    }
  }
  if (const json::object* api = objectField(listener, "api_listener")) {
    if (const json::object* hcm = objectField(*api, "api_listener")) {
      collectFromHcm(*hcm, name, rds_users, inline_configs);
    }
  }
}

std::string matchText(const json::object& match) {
  std::string text;
  if (const json::value* prefix = match.if_contains("prefix"); prefix && prefix->is_string()) {
    text = prefix->as_string().empty() ? "(any)" : std::string(prefix->as_string());
  } else if (std::string path = stringField(match, "path"); !path.empty()) {
    text = cat("= ", path);
  } else if (const json::object* regex = objectField(match, "safe_regex")) {
    text = cat("~ ", stringField(*regex, "regex"));
  } else if (std::string segments = stringField(match, "path_separated_prefix");
             !segments.empty()) {
    text = cat(segments, " (segments)");
  } else if (match.contains("path_match_policy")) {
    text = "(template)";
  } else {
    text = "(any)";
  }
  if (const json::array* headers = arrayField(match, "headers"); headers && !headers->empty()) {
    text = cat(text, " +", headers->size(), " header(s)");
  }
  if (const json::array* query = arrayField(match, "query_parameters"); query && !query->empty()) {
    text = cat(text, " +", query->size(), " query");
  }
  return text;
}

std::string targetText(const json::object& route) {
  if (const json::object* action = objectField(route, "route")) {
    if (std::string cluster = stringField(*action, "cluster"); !cluster.empty()) {
      return cluster;
    }
    if (const json::object* weighted = objectField(*action, "weighted_clusters")) {
      std::vector<std::string> parts;
      if (const json::array* clusters = arrayField(*weighted, "clusters")) {
        for (const json::value& cluster : *clusters) {
          if (cluster.is_object()) {
            parts.push_back(cat(stringField(cluster.as_object(), "name"), "(",
                                numberField(cluster.as_object(), "weight"), ")"));
          }
        }
      }
      return absl::StrJoin(parts, " ");
    }
    if (std::string header = stringField(*action, "cluster_header"); !header.empty()) {
      return cat("header:", header);
    }
    return "";
  }
  if (const json::object* direct = objectField(route, "direct_response")) {
    return cat("direct ", numberField(*direct, "status"));
  }
  if (route.contains("redirect")) {
    return "redirect";
  }
  return "";
}

void addRouteRows(const RouteSource& source, Table& table) {
  std::string listeners = absl::StrJoin(source.listeners, ",");
  const json::array* vhosts = arrayField(*source.config, "virtual_hosts");
  for (size_t v = 0; vhosts != nullptr && v < vhosts->size(); ++v) {
    if (!(*vhosts)[v].is_object()) {
      continue;
    }
    const json::object& vhost = (*vhosts)[v].as_object();
    std::vector<std::string> domains;
    if (const json::array* list = arrayField(vhost, "domains")) {
      for (const json::value& domain : *list) {
        if (domain.is_string()) {
          domains.emplace_back(domain.as_string());
        }
      }
    }
    const json::array* routes = arrayField(vhost, "routes");
    for (size_t r = 0; routes != nullptr && r < routes->size(); ++r) {
      if (!(*routes)[r].is_object()) {
        continue;
      }
      const json::object& route = (*routes)[r].as_object();
      const json::object* match = objectField(route, "match");
      table.addRow({listeners, source.name, absl::StrJoin(domains, ","), stringField(route, "name"),
                    match != nullptr ? matchText(*match) : "", targetText(route)});
    }
  }
}

int runRoutes(const ParsedArgs& args, Context& context) {
  std::string target = "/v1/config_dump";
  if (args.has("group")) {
    target = cat(target, "?group=", urlEncode(args.get("group")));
  }
  CallResult result = context.cp.call("GET", target, "", context.err);
  if (result.exit_code != kExitOk) {
    return result.exit_code;
  }
  if (context.json_output) {
    context.out << result.body << '\n';
    return kExitOk;
  }
  auto dump = parseObject(result.body, context.err);
  if (!dump) {
    return kExitError;
  }
  std::map<std::string, std::vector<std::string>> rds_users;
  std::vector<RouteSource> sources;
  if (const json::array* listeners = arrayField(*dump, "listeners")) {
    for (const json::value& entry : *listeners) {
      const json::object* resource =
          entry.is_object() ? objectField(entry.as_object(), "resource") : nullptr;
      if (resource != nullptr) {
        collectFromListener(*resource, rds_users, sources);
      }
    }
  }
  std::vector<RouteSource> rds_sources;
  if (const json::array* routes = arrayField(*dump, "routes")) {
    for (const json::value& entry : *routes) {
      const json::object* resource =
          entry.is_object() ? objectField(entry.as_object(), "resource") : nullptr;
      if (resource == nullptr) {
        continue;
      }
      std::string name = stringField(*resource, "name");
      auto users = rds_users.find(name);
      rds_sources.push_back(
          {name, resource, users != rds_users.end() ? users->second : std::vector<std::string>{}});
    }
  }
  // HTTP listeners first (the ones with filter chains), then gRPC API listeners, in dump order.
  rds_sources.insert(rds_sources.end(), sources.begin(), sources.end());
  Table table({"LISTENER", "ROUTE CONFIG", "DOMAINS", "ROUTE", "MATCH", "CLUSTER"});
  for (const RouteSource& source : rds_sources) {
    addRouteRows(source, table);
  }
  if (table.empty()) {
    context.err << "no routes in group \"" << stringField(*dump, "group") << "\"\n";
    return kExitOk;
  }
  table.print(context.out);
  return kExitOk;
}

// ---- proxies ------------------------------------------------------------------------------

constexpr std::string_view kTypes[] = {"lds", "rds", "cds", "eds"};
constexpr size_t kShortVersion = 8;

std::string shortVersion(const std::string& version) {
  return version.empty() ? "-" : version.substr(0, kShortVersion);
}

int runProxies(const ParsedArgs& args, Context& context) {
  CallResult result = context.cp.call("GET", "/v1/proxies", "", context.err);
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
  Table table({"NODE", "GROUP", "PEER", "LDS", "RDS", "CDS", "EDS", "STATUS"});
  std::vector<std::string> nacks;
  if (const json::array* proxies = arrayField(*answer, "proxies")) {
    for (const json::value& entry : *proxies) {
      if (!entry.is_object()) {
        continue;
      }
      const json::object& proxy = entry.as_object();
      const json::object* types = objectField(proxy, "types");
      std::string node = stringField(proxy, "node_id");
      std::vector<std::string> row = {node, stringField(proxy, "group"),
                                      stringField(proxy, "peer")};
      bool any_sent = false;
      bool all_acked = true;
      bool nacked = false;
      for (std::string_view type : kTypes) {
        const json::object* status = types != nullptr ? objectField(*types, type) : nullptr;
        if (status == nullptr) {
          row.push_back("");
          continue;
        }
        std::string sent = stringField(*status, "sent");
        std::string acked = stringField(*status, "acked");
        if (std::string nack = stringField(*status, "last_nack"); !nack.empty()) {
          nacked = true;
          nacks.push_back(cat(node, " ", type, ": NACK of version ", stringField(*status, "nacked"),
                              " at ", stringField(*status, "last_nack_at"), ": ", nack));
        }
        if (sent.empty()) {
          row.push_back("");
          continue;
        }
        any_sent = true;
        all_acked = all_acked && acked == sent;
        row.push_back(cat(shortVersion(acked), "/", shortVersion(sent)));
      }
      // A proxy that has ACKed everything it was sent is in sync even if it NACKed an older
      // version; one that was sent nothing yet is not.
      row.push_back(any_sent && all_acked ? "SYNCED" : nacked ? "NACKED" : "STALE");
      table.addRow(std::move(row));
    }
  }
  if (table.empty()) {
    context.err << "no proxies connected\n";
    return kExitOk;
  }
  table.print(context.out);
  context.out << "(columns per type: acked/sent version)\n";
  for (const std::string& nack : nacks) {
    context.out << nack << '\n';
  }
  return kExitOk;
}

}  // namespace

std::vector<Command> statusCommands() {
  std::vector<Command> commands;
  commands.push_back(Command{
      "routes",
      "routes [--group=G]",
      "List the routes the control plane pushes to a gateway group.",
      "One row per route, from /v1/config_dump: the listener(s) using the route configuration,\n"
      "the route configuration, the virtual host's domains, the route's name, its match (a path\n"
      "prefix unless marked: '= ' exact, '~ ' regex) and its target cluster. Routes are listed in\n"
      "match order: the first match wins.\n",
      {{"group", "G", "gateway group (node.cluster of the proxies); default: default"}},
      0,
      0,
      runRoutes});
  commands.push_back(Command{
      "proxies",
      "proxies",
      "List the proxies connected to the control plane and their sync state.",
      "Per resource type: the version the proxy ACKed / the version it was sent. STATUS is\n"
      "SYNCED when every type it was sent is ACKed, NACKED when it rejected a version (details\n"
      "follow the table), else STALE (an answer is pending).\n",
      {},
      0,
      0,
      runProxies});
  // The name the issue tracker and Istio users know; same command.
  Command alias = commands.back();
  alias.name = "proxy-status";
  alias.usage = "proxy-status";
  alias.summary = "Same as proxies.";
  commands.push_back(std::move(alias));
  return commands;
}

}  // namespace portico::tools::porticoctl
