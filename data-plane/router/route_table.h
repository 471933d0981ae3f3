#pragma once

// A compiled RouteConfiguration: virtual hosts chosen by Host, then the first route whose match
// accepts the request, in xDS order. Immutable; part of a config::Snapshot.

#include <boost/beast/http/fields.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <re2/re2.h>

#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "data-plane/http/active_filter.h"
#include "data-plane/router/hash_policy.h"
#include "data-plane/router/route_index.h"
#include "data-plane/router/message.h"

namespace portico::dp::router {

class RouteStats;
struct RetryPolicy;

// What a matcher sees of a request.
struct RequestView {
  std::string_view method;
  std::string_view path;   // without the query
  std::string_view query;  // raw, without '?'
  const router::Fields* headers = nullptr;
};

// Envoy's HeaderMatcher (the kinds gRPC and Envoy share). ":method" reads the request method.
struct HeaderMatcher {
  enum class Kind { kExact, kRegex, kPresent, kPrefix, kSuffix, kContains, kRange };
  std::string name;  // lower-case
  Kind kind = Kind::kExact;
  std::string value;
  std::shared_ptr<const re2::RE2> regex;
  int64_t range_start = 0;
  int64_t range_end = 0;  // exclusive
  bool invert = false;
  bool ignore_case = false;  // exact / prefix / suffix / contains
  bool present = true;       // kPresent: true = "present", false = "absent"

  // Envoy's semantics: when the header is absent, only present_match can match (inverted or
  // not); every other kind fails whether or not it is inverted.
  bool matches(const RequestView& request) const;
};

// Envoy's QueryParameterMatcher; values are compared percent-decoded.
struct QueryMatcher {
  using Kind = HeaderMatcher::Kind;  // kRange is not used for query parameters
  std::string name;
  Kind kind = Kind::kPresent;
  std::string value;
  std::shared_ptr<const re2::RE2> regex;
  bool ignore_case = false;

  bool matches(const RequestView& request) const;
};

struct WeightedTarget {
  std::string cluster;
  int cluster_index = -1;
  uint32_t weight = 0;
};

// Header additions and removals, applied in order (route configuration, then virtual host,
// then route: the most specific level runs last, so its overwrite wins — Envoy's
// most_specific_header_mutations_wins).
struct HeaderMutation {
  enum class Op { kAppend, kAddIfAbsent, kOverwriteOrAdd, kOverwriteIfExists, kRemove };
  struct Step {
    Op op;
    std::string name;  // lower-case
    std::string value;
  };
  std::vector<Step> steps;
  bool empty() const { return steps.empty(); }
  void apply(router::Fields& fields) const;
};

struct Redirect {
  std::string scheme;  // empty: keep
  std::string host;    // empty: keep
  uint32_t port = 0;   // 0: keep
  std::string path;    // empty: keep (whole path incl. query when set)
  std::string prefix_rewrite;
  bool strip_query = false;
  unsigned status = 301;
};

struct Route {
  enum class PathMatch { kPrefix, kExact, kRegex };
  enum class Action { kCluster, kWeightedClusters, kDirectResponse, kRedirect };

  std::string name;
  // Match.
  PathMatch path_match = PathMatch::kPrefix;
  std::string path;                       // prefix or exact path
  std::shared_ptr<const re2::RE2> regex;  // kRegex: must match the whole path
  bool case_sensitive = true;
  std::vector<HeaderMatcher> headers;
  std::vector<QueryMatcher> query;
  // Action.
  Action action = Action::kCluster;
  std::string cluster;     // kCluster: target cluster name
  int cluster_index = -1;  // into Snapshot::clusters(); -1 when the cluster is unknown
  std::vector<WeightedTarget> weighted;  // kWeightedClusters
  uint32_t total_weight = 0;
  unsigned direct_status = 200;  // kDirectResponse
  std::string direct_body;
  Redirect redirect;  // kRedirect
  // Forwarding.
  absl::Duration timeout = absl::Seconds(15);  // ZeroDuration: no route timeout
  std::string prefix_rewrite;
  std::shared_ptr<const re2::RE2> regex_rewrite;
  std::string regex_substitution;
  std::string host_rewrite;
  // ring_hash / Maglev: what the request hash is computed from (empty: no hash).
  std::vector<HashPolicy> hash_policies;
  // The route's retry_policy, else its virtual host's; null: one try, no per-try timeout.
  std::shared_ptr<const RetryPolicy> retry_policy;
  HeaderMutation request_headers;   // route + virtual host + route configuration, merged
  HeaderMutation response_headers;
  // An HTTP filter enabled on this route that this proxy does not implement yet: requests are
  // refused (fail closed) rather than served without the policy.
  std::string blocked_by_filter;
  // Every implemented filter of the listener's chain, in chain order, as this route runs it
  // (enabled or not, per-route config). Empty when the chain has only the router.
  http::ActiveFilters filters;
  RouteStats* stats = nullptr;

  bool matchesPath(std::string_view request_path) const;
  bool matches(const RequestView& request) const;
  // The upstream path after prefix_rewrite / regex_rewrite (the query is kept).
  std::string rewritePath(std::string_view path, std::string_view query) const;
};

struct VirtualHost {
  std::string name;
  std::vector<std::string> domains;  // lower-cased
  std::vector<Route> routes;
  RouteIndex index;  // over `routes`; built by RouteTable
};

class RouteTable {
 public:
  RouteTable(std::string name, std::vector<VirtualHost> virtual_hosts);

  const std::string& name() const { return name_; }
  const std::vector<VirtualHost>& virtualHosts() const { return virtual_hosts_; }

  // Envoy's domain order: exact, then the longest "*suffix", then the longest "prefix*", then
  // "*". `host` may carry a port, which is ignored. Null when nothing matches.
  const VirtualHost* findVirtualHost(std::string_view host) const;
  // The first matching route of the chosen virtual host, or null.
  const Route* match(std::string_view host, const RequestView& request) const;
  // Matching on a path alone (no method, headers or query: routes with such matchers only
  // match if those matchers accept an absent value): for tests and benchmarks.
  const Route* match(std::string_view host, std::string_view path) const;
  // The reference answer: a scan of every route in order, without the index (tests).
  const Route* matchLinear(std::string_view host, const RequestView& request) const;

 private:
  const VirtualHost* findWildcardVirtualHost(std::string_view host) const;

  std::string name_;
  std::vector<VirtualHost> virtual_hosts_;
  // Exact (non-wildcard) domains, lower-cased → position in virtual_hosts_: one hash lookup
  // instead of a scan of every domain of every virtual host.
  absl::flat_hash_map<std::string, size_t> exact_domains_;
  bool has_wildcards_ = false;
};

// Checks a domain pattern the way Envoy and gRPC do: "*", "*suffix", "prefix*" or exact; a '*'
// anywhere else is invalid.
bool validDomainPattern(std::string_view domain);

}  // namespace portico::dp::router
