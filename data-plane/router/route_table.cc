#include "data-plane/router/route_table.h"

#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
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

bool Route::matchesPath(std::string_view request_path) const {
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

bool Route::matches(const RequestView& request) const {
  if (!matchesPath(request.path)) return false;
  for (const HeaderMatcher& header : headers) {
    if (!header.matches(request)) return false;
  }
  for (const QueryMatcher& param : query) {
    if (!param.matches(request)) return false;
  }
  return true;
}

std::string Route::rewritePath(std::string_view request_path, std::string_view query_string) const {
  std::string out;
  if (!prefix_rewrite.empty() && path_match == PathMatch::kPrefix) {
    out = cat(prefix_rewrite, request_path.substr(std::min(path.size(), request_path.size())));
  } else if (regex_rewrite) {
    out = std::string(request_path);
    re2::RE2::GlobalReplace(&out, *regex_rewrite, regex_substitution);
  } else {
    out = std::string(request_path);
  }
  if (out.empty() || out[0] != '/') out.insert(out.begin(), '/');
  if (!query_string.empty()) {
    out.push_back('?');
    out.append(query_string);
  }
  return out;
}

namespace {

bool stringMatches(std::string_view value, HeaderMatcher::Kind kind, const std::string& expected,
                   const re2::RE2* regex) {
  switch (kind) {
    case HeaderMatcher::Kind::kExact:
      return value == expected;
    case HeaderMatcher::Kind::kRegex:
      return re2::RE2::FullMatch(re2::StringPiece(value.data(), value.size()), *regex);
    case HeaderMatcher::Kind::kPrefix:
      return value.starts_with(expected);
    case HeaderMatcher::Kind::kSuffix:
      return value.ends_with(expected);
    case HeaderMatcher::Kind::kContains:
      return value.find(expected) != std::string_view::npos;
    case HeaderMatcher::Kind::kPresent:
    case HeaderMatcher::Kind::kRange:
      return true;
  }
  return false;
}

// Percent-decodes a query component ('+' is a space in form encoding).
std::string decodeComponent(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '+') {
      out.push_back(' ');
    } else if (in[i] == '%' && i + 2 < in.size() && std::isxdigit(static_cast<unsigned char>(in[i + 1])) &&
               std::isxdigit(static_cast<unsigned char>(in[i + 2]))) {
      out.push_back(static_cast<char>(std::stoi(std::string(in.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(in[i]);
    }
  }
  return out;
}

}  // namespace

bool HeaderMatcher::matches(const RequestView& request) const {
  std::optional<std::string_view> header;
  if (name == ":method") {
    header = request.method;
  } else if (request.headers != nullptr) {
    if (auto it = request.headers->find(name); it != request.headers->end()) header = it->value();
  }
  if (!header) {
    return kind == Kind::kPresent && (invert ? present : !present);
  }
  bool ok = false;
  if (kind == Kind::kPresent) {
    ok = present;
  } else if (kind == Kind::kRange) {
    int64_t number = 0;
    ok = absl::SimpleAtoi(av(*header), &number) && number >= range_start && number < range_end;
  } else if (ignore_case && kind != Kind::kRegex) {
    ok = stringMatches(absl::AsciiStrToLower(av(*header)), kind, absl::AsciiStrToLower(value), nullptr);
  } else {
    ok = stringMatches(*header, kind, value, regex.get());
  }
  return invert ? !ok : ok;
}

bool QueryMatcher::matches(const RequestView& request) const {
  std::string_view rest = request.query;
  while (!rest.empty()) {
    const size_t amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    const size_t eq = pair.find('=');
    if (decodeComponent(pair.substr(0, eq)) != name) continue;
    if (kind == Kind::kPresent) return true;
    std::string actual = eq == std::string_view::npos ? std::string() : decodeComponent(pair.substr(eq + 1));
    std::string wanted = value;
    if (ignore_case) {
      absl::AsciiStrToLower(&actual);
      absl::AsciiStrToLower(&wanted);
    }
    if (stringMatches(actual, kind, wanted, regex.get())) return true;
  }
  return false;
}

void HeaderMutation::apply(router::Fields& fields) const {
  for (const Step& step : steps) {
    switch (step.op) {
      case Op::kAppend:
        fields.insert(step.name, step.value);
        break;
      case Op::kAddIfAbsent:
        if (fields.find(step.name) == fields.end()) fields.insert(step.name, step.value);
        break;
      case Op::kOverwriteOrAdd:
        fields.set(step.name, step.value);
        break;
      case Op::kOverwriteIfExists:
        if (fields.find(step.name) != fields.end()) fields.set(step.name, step.value);
        break;
      case Op::kRemove:
        fields.erase(step.name);
        break;
    }
  }
}

RouteTable::RouteTable(std::string name, std::vector<VirtualHost> virtual_hosts)
    : name_(std::move(name)), virtual_hosts_(std::move(virtual_hosts)) {
  for (size_t v = 0; v < virtual_hosts_.size(); ++v) {
    VirtualHost& vhost = virtual_hosts_[v];
    vhost.index = RouteIndex(vhost.routes);
    for (const std::string& domain : vhost.domains) {
      if (domain.find('*') != std::string::npos) {
        has_wildcards_ = true;
      } else {
        exact_domains_.try_emplace(absl::AsciiStrToLower(domain), v);  // the first one wins
      }
    }
  }
}

const VirtualHost* RouteTable::findVirtualHost(std::string_view raw_host) const {
  const std::string_view host = stripPort(raw_host);
  // Lower-case into a stack buffer for the exact lookup; longer hosts (rare) take the scan.
  // Without exact domains (a single "*" virtual host is common) there is nothing to hash for.
  char lowered[256];
  if (host.size() <= sizeof(lowered)) {
    if (!exact_domains_.empty()) {
      for (size_t i = 0; i < host.size(); ++i) lowered[i] = absl::ascii_tolower(static_cast<unsigned char>(host[i]));
      if (auto it = exact_domains_.find(absl::string_view(lowered, host.size())); it != exact_domains_.end()) {
        return &virtual_hosts_[it->second];
      }
    }
    if (!has_wildcards_) return nullptr;
  }
  return findWildcardVirtualHost(host);
}

const VirtualHost* RouteTable::findWildcardVirtualHost(std::string_view host) const {
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

const Route* RouteTable::match(std::string_view host, const RequestView& request) const {
  const VirtualHost* vhost = findVirtualHost(host);
  return vhost == nullptr ? nullptr : vhost->index.match(vhost->routes, request);
}

const Route* RouteTable::matchLinear(std::string_view host, const RequestView& request) const {
  const VirtualHost* vhost = findVirtualHost(host);
  if (vhost == nullptr) return nullptr;
  for (const Route& route : vhost->routes) {
    if (route.matches(request)) return &route;
  }
  return nullptr;
}

const Route* RouteTable::match(std::string_view host, std::string_view path) const {
  RequestView request;
  request.path = path;
  return match(host, request);
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
