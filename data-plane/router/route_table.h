#pragma once

// A compiled RouteConfiguration: virtual hosts chosen by Host, then the first route whose match
// accepts the request, in xDS order. Immutable; part of a config::Snapshot.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <re2/re2.h>

#include "absl/time/time.h"

namespace portico::dp::router {

class RouteStats;

struct Route {
  enum class PathMatch { kPrefix, kExact, kRegex };

  std::string name;
  PathMatch path_match = PathMatch::kPrefix;
  std::string path;                 // prefix or exact path
  std::shared_ptr<const re2::RE2> regex;  // kRegex: must match the whole path
  bool case_sensitive = true;
  std::string cluster;              // target cluster name
  int cluster_index = -1;           // into Snapshot::clusters(); -1 when the cluster is unknown
  absl::Duration timeout = absl::Seconds(15);  // ZeroDuration: no route timeout
  RouteStats* stats = nullptr;

  bool matches(std::string_view request_path) const;
};

struct VirtualHost {
  std::string name;
  std::vector<std::string> domains;  // lower-cased
  std::vector<Route> routes;
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
  const Route* match(std::string_view host, std::string_view path) const;

 private:
  std::string name_;
  std::vector<VirtualHost> virtual_hosts_;
};

// Checks a domain pattern the way Envoy and gRPC do: "*", "*suffix", "prefix*" or exact; a '*'
// anywhere else is invalid.
bool validDomainPattern(std::string_view domain);

}  // namespace portico::dp::router
