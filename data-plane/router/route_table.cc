#include "data-plane/router/route_table.h"

#include "absl/strings/match.h"
#include "common/strings.h"

namespace portico::dp::router {

namespace {

std::string_view stripPort(std::string_view host) {
  if (!host.empty() && host.front() == '[') {
    size_t close = host.find(']');
    return close == std::string_view::npos ? host : host.substr(0, close + 1);
  }
  size_t colon = host.rfind(':');
  return colon == std::string_view::npos ? host : host.substr(0, colon);
}

bool startsWithIgnoreCase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && absl::EqualsIgnoreCase(av(text.substr(0, prefix.size())), av(prefix));
}

bool endsWithIgnoreCase(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() &&
         absl::EqualsIgnoreCase(av(text.substr(text.size() - suffix.size())), av(suffix));
}

}  // namespace

bool Route::matches(std::string_view request_path) const {
  switch (path_match) {
    case PathMatch::kPrefix:
      return case_sensitive ? request_path.starts_with(path) : startsWithIgnoreCase(request_path, path);
    case PathMatch::kExact:
      return case_sensitive ? request_path == path
                            : absl::EqualsIgnoreCase(av(request_path), av(path));
    case PathMatch::kRegex:
      return re2::RE2::FullMatch(re2::StringPiece(request_path.data(), request_path.size()), *regex);
  }
  return false;
}

RouteTable::RouteTable(std::string name, std::vector<VirtualHost> virtual_hosts)
    : name_(std::move(name)), virtual_hosts_(std::move(virtual_hosts)) {}

const VirtualHost* RouteTable::findVirtualHost(std::string_view raw_host) const {
  const std::string_view host = stripPort(raw_host);
  const VirtualHost* best = nullptr;
  int best_rank = 0;       // 4 exact, 3 suffix, 2 prefix, 1 any
  size_t best_length = 0;  // longer wildcard patterns win within a rank
  for (const VirtualHost& vhost : virtual_hosts_) {
    for (const std::string& domain : vhost.domains) {
      int rank = 0;
      if (domain == "*") {
        rank = 1;
      } else if (domain.front() == '*') {
        rank = endsWithIgnoreCase(host, std::string_view(domain).substr(1)) && host.size() > domain.size() - 1 ? 3 : 0;
      } else if (domain.back() == '*') {
        rank = startsWithIgnoreCase(host, std::string_view(domain).substr(0, domain.size() - 1)) &&
                       host.size() > domain.size() - 1
                   ? 2
                   : 0;
      } else if (absl::EqualsIgnoreCase(av(host), domain)) {
        return &vhost;  // exact: nothing beats it
      }
      if (rank > best_rank || (rank == best_rank && rank > 1 && domain.size() > best_length)) {
        best = &vhost;
        best_rank = rank;
        best_length = domain.size();
      }
    }
  }
  return best;
}

const Route* RouteTable::match(std::string_view host, std::string_view path) const {
  const VirtualHost* vhost = findVirtualHost(host);
  if (vhost == nullptr) {
    return nullptr;
  }
  for (const Route& route : vhost->routes) {
    if (route.matches(path)) {
      return &route;
    }
  }
  return nullptr;
}

bool validDomainPattern(std::string_view domain) {
  if (domain.empty()) {
    return false;
  }
  if (domain == "*") {
    return true;
  }
  size_t star = domain.find('*');
  if (star == std::string_view::npos) {
    return true;
  }
  if (domain.find('*', star + 1) != std::string_view::npos) {
    return false;
  }
  return star == 0 || star == domain.size() - 1;
}

}  // namespace portico::dp::router
