// libFuzzer target: data-plane/router/route_table (virtual host selection, path / header /
// query matchers, rewrites) on a fixed table shaped like what portico-cp sends, with fuzzed
// requests. Input: newline-separated fields — host, method, path, query, then header lines
// "name:value". Properties:
// - the indexed lookup (RouteTable::match, route_index.h) returns the same route as the
//   reference scan of every route in order (RouteTable::matchLinear);
// - a match is a route of the chosen virtual host, and that route's own matchers accept the
//   request (the table never returns a route that does not match);
// - a prefix route's path is a prefix of the request path (ignoring case when it says so), an
//   exact route's path equals it, a regex route fully matches it;
// - no route before the returned one in its virtual host matches (first match wins);
// - a rewritten path starts with '/' and keeps the query;
// - matching on the path alone never crashes.

#include <boost/beast/http/fields.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/match.h"
#include "common/strings.h"
#include "data-plane/router/route_index.h"
#include "data-plane/router/route_table.h"
#include "fuzz/fuzz_check.h"

namespace {

using namespace portico::dp::router;  // NOLINT(google-build-using-namespace): fuzz target only

// Compiled the way data-plane/config/matcher_compiler.cc does.
std::shared_ptr<const re2::RE2> regex(const char* pattern, bool case_sensitive = true) {
  re2::RE2::Options options;
  options.set_case_sensitive(case_sensitive);
  options.set_log_errors(false);
  return std::make_shared<const re2::RE2>(pattern, options);
}

Route prefix(std::string name, std::string path, bool case_sensitive = true) {
  Route r;
  r.name = std::move(name);
  r.path_match = Route::PathMatch::kPrefix;
  r.path = std::move(path);
  r.case_sensitive = case_sensitive;
  r.cluster = "c";
  return r;
}

HeaderMatcher header(std::string name, HeaderMatcher::Kind kind, std::string value,
                     bool invert = false, bool ignore_case = false) {
  HeaderMatcher h;
  h.name = std::move(name);
  h.kind = kind;
  h.value = std::move(value);
  h.invert = invert;
  h.ignore_case = ignore_case;
  return h;
}

std::vector<Route> apiRoutes() {
  std::vector<Route> routes;
  Route exact = prefix("exact", "/health");
  exact.path_match = Route::PathMatch::kExact;
  routes.push_back(exact);
  Route templ = prefix("template", "");
  templ.path_match = Route::PathMatch::kRegex;
  templ.regex = regex("/users/[^/]+/orders");
  templ.regex_rewrite = regex("^/users/([^/]+)/orders$");
  templ.regex_substitution = "/orders/\\1";
  routes.push_back(templ);
  Route versioned = prefix("versioned", "/api");
  versioned.headers.push_back(header("x-api-version", HeaderMatcher::Kind::kRegex, "v[23]"));
  versioned.headers.back().regex = regex("v[23]");
  versioned.headers.push_back(header(":method", HeaderMatcher::Kind::kExact, "GET"));
  routes.push_back(versioned);
  Route ranged = prefix("ranged", "/api");
  HeaderMatcher range = header("x-n", HeaderMatcher::Kind::kRange, "");
  range.range_start = -10;
  range.range_end = 10;
  ranged.headers.push_back(range);
  ranged.headers.push_back(header("x-t", HeaderMatcher::Kind::kContains, "AbC", false, true));
  routes.push_back(ranged);
  Route absent = prefix("absent", "/api");
  HeaderMatcher not_present = header("x-debug", HeaderMatcher::Kind::kPresent, "");
  not_present.present = false;
  absent.headers.push_back(not_present);
  absent.headers.push_back(header("x-s", HeaderMatcher::Kind::kSuffix, "z", true));
  routes.push_back(absent);
  Route queried = prefix("queried", "/q");
  QueryMatcher region;
  region.name = "region";
  region.kind = QueryMatcher::Kind::kExact;
  region.value = "eu west";
  region.ignore_case = true;
  queried.query.push_back(region);
  QueryMatcher debug;
  debug.name = "debug";
  debug.kind = QueryMatcher::Kind::kPresent;
  queried.query.push_back(debug);
  routes.push_back(queried);
  Route rewritten = prefix("rewritten", "/old/");
  rewritten.prefix_rewrite = "/new/";
  routes.push_back(rewritten);
  routes.push_back(prefix("insensitive", "/CI", false));
  routes.push_back(prefix("root", "/"));
  return routes;
}

Route regexRoute(std::string name, const char* pattern, bool case_sensitive = true) {
  Route r = prefix(std::move(name), "", case_sensitive);
  r.path_match = Route::PathMatch::kRegex;
  r.regex = regex(pattern, case_sensitive);
  return r;
}

// Routes that give the index work: nested prefixes, deepest first, more distinct lengths than
// the index has cursors (deep paths take its linear fallback); the same exact path twice;
// regex routes it skips by their possible-match range; case-insensitive routes it scans; and
// header matchers that turn a candidate down, so later candidates must be tried in order.
std::vector<Route> indexedRoutes() {
  std::vector<Route> routes;
  const int depth = RouteIndex::kMaxCursors + 4;
  for (int level = depth; level >= 1; --level) {
    std::string path;
    for (int i = 0; i < level; ++i) path += "/d";
    Route r = prefix(portico::cat("nested-", level), path);
    if (level % 3 == 0) {
      r.headers.push_back(header("x-d", HeaderMatcher::Kind::kExact, std::to_string(level)));
    }
    routes.push_back(std::move(r));
  }
  Route exact_a = prefix("exact-a", "/e/1");
  exact_a.path_match = Route::PathMatch::kExact;
  Route exact_b = exact_a;
  exact_b.name = "exact-b";
  exact_a.headers.push_back(header("x-e", HeaderMatcher::Kind::kPresent, ""));
  routes.push_back(std::move(exact_a));
  routes.push_back(std::move(exact_b));
  routes.push_back(regexRoute("digits", "/r/[0-9]+"));
  routes.push_back(regexRoute("alternation", "^/alt/(a|bb|ccc)$"));
  routes.push_back(regexRoute("optional", "(/opt)?/o[p-t]+"));
  routes.push_back(regexRoute("inline-icase", "(?i)/Admin/[a-z]*"));
  routes.push_back(regexRoute("unicode", "/\\x{fc}+/u"));
  routes.push_back(regexRoute("tail", ".*/tail"));
  routes.push_back(regexRoute("icase-regex", "/CI/[A-Z]+", false));
  routes.push_back(prefix("icase-prefix", "/Mixed/", false));
  Route guarded = prefix("guarded", "/e/");
  guarded.headers.push_back(header("x-g", HeaderMatcher::Kind::kPrefix, "y"));
  routes.push_back(std::move(guarded));
  routes.push_back(prefix("e-root", "/e"));
  routes.push_back(prefix("slash", "/"));
  return routes;
}

VirtualHost virtualHost(std::string name, std::vector<std::string> domains,
                        std::vector<Route> routes) {
  VirtualHost vhost;
  vhost.name = std::move(name);
  vhost.domains = std::move(domains);
  vhost.routes = std::move(routes);
  return vhost;
}

const RouteTable& table() {
  static const RouteTable* table = [] {
    std::vector<VirtualHost> hosts;
    hosts.push_back(virtualHost("exact", {"api.example.com"}, apiRoutes()));
    hosts.push_back(virtualHost("indexed", {"index.example.com"}, indexedRoutes()));
    hosts.push_back(virtualHost("suffix", {"*.example.com"}, {prefix("suffix-root", "/s")}));
    hosts.push_back(virtualHost("prefix", {"internal.*"}, {prefix("prefix-root", "/")}));
    hosts.push_back(virtualHost("any", {"*"}, apiRoutes()));
    return new RouteTable("fuzz", std::move(hosts));
  }();
  return *table;
}

std::string_view nextField(std::string_view& rest) {
  const size_t newline = rest.find('\n');
  const std::string_view field = rest.substr(0, newline);
  rest = newline == std::string_view::npos ? std::string_view() : rest.substr(newline + 1);
  return field;
}

void checkMatch(const Route& route, const VirtualHost& vhost, const RequestView& request) {
  const std::string shown = portico::cat(route.name, " for ", request.path);
  FUZZ_CHECK(route.matches(request), shown);
  switch (route.path_match) {
    case Route::PathMatch::kPrefix:
      FUZZ_CHECK(route.case_sensitive ? request.path.starts_with(route.path)
                                      : absl::StartsWithIgnoreCase(portico::av(request.path),
                                                                   portico::av(route.path)),
                 shown);
      break;
    case Route::PathMatch::kExact:
      FUZZ_CHECK(request.path == route.path, shown);
      break;
    case Route::PathMatch::kRegex:
      FUZZ_CHECK(re2::RE2::FullMatch(re2::StringPiece(request.path.data(), request.path.size()),
                                     *route.regex),
                 shown);
      break;
  }
  for (const Route& earlier : vhost.routes) {
    if (&earlier == &route) break;
    FUZZ_CHECK(!earlier.matches(request), portico::cat(earlier.name, " matched before ", shown));
  }
  const std::string rewritten = route.rewritePath(request.path, request.query);
  FUZZ_CHECK(!rewritten.empty() && rewritten[0] == '/', rewritten);
  if (!request.query.empty()) {
    FUZZ_CHECK(absl::EndsWith(rewritten, portico::cat("?", request.query)), rewritten);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > portico::fuzz::kMaxInput) return 0;
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  const std::string_view host = nextField(rest);
  const std::string_view method = nextField(rest);
  const std::string_view path = nextField(rest);
  const std::string_view query = nextField(rest);
  portico::dp::router::Fields headers;
  while (!rest.empty()) {
    const std::string_view line = nextField(rest);
    const size_t colon = line.find(':');
    if (colon == 0 || colon == std::string_view::npos) continue;
    headers.insert(line.substr(0, colon), line.substr(colon + 1));
  }
  const RequestView request{method, path, query, &headers};
  const RouteTable& routes = table();
  const VirtualHost* vhost = routes.findVirtualHost(host);
  const Route* route = routes.match(host, request);
  const Route* linear = routes.matchLinear(host, request);
  FUZZ_CHECK(route == linear,
             portico::cat("index: ", route != nullptr ? route->name : "none",
                          ", linear: ", linear != nullptr ? linear->name : "none", " for ", path));
  if (route != nullptr) {
    FUZZ_CHECK(vhost != nullptr, "a route without a virtual host");
    FUZZ_CHECK(route >= vhost->routes.data() && route < vhost->routes.data() + vhost->routes.size(),
               "the route is not in the chosen virtual host");
    checkMatch(*route, *vhost, request);
  }
  routes.match(host, path);
  return 0;
}
