#pragma once

// An index over one virtual host's routes so that finding the first matching route does not
// scan every route. Envoy matches routes linearly; with thousands of routes that is thousands
// of comparisons per request. Here:
//   - case-sensitive prefix routes are grouped by prefix in a hash map, and the distinct prefix
//     lengths are kept sorted, so the candidates for a path are found with one hash lookup per
//     distinct length (usually a handful), not one comparison per route;
//   - case-sensitive exact-path routes are grouped by path in a hash map;
//   - everything else (regex, case-insensitive) stays in a list scanned for every request;
//     a regex route is only run when the path falls in the range of strings it can match.
// Each group holds route positions in xDS order. The candidates of all groups are visited in
// increasing position and the first whose full match (path, headers, query) accepts wins: the
// same answer as the linear scan (first match in xDS order), which the tests check against it.
//
// No heap allocation per lookup: hash lookups are heterogeneous (string_view keys), and the
// merge cursors live in a fixed-size array on the stack. A path that would need more cursors
// than that (a very deep path where every level is some route's prefix) falls back to the
// linear scan.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"

namespace portico::dp::router {

struct Route;
struct RequestView;

class RouteIndex {
 public:
  RouteIndex() = default;
  explicit RouteIndex(const std::vector<Route>& routes);

  // The first route (in `routes` order) that matches `request`, or null. `routes` must be the
  // vector the index was built from.
  const Route* match(const std::vector<Route>& routes, const RequestView& request) const;

  static constexpr int kMaxCursors = 48;

 private:
  using Positions = std::vector<uint32_t>;  // ascending
  absl::flat_hash_map<std::string, Positions> prefixes_;
  std::vector<size_t> prefix_lengths_;  // distinct, ascending
  absl::flat_hash_map<std::string, Positions> exact_;
  Positions scanned_;  // regex and case-insensitive routes
  // For each entry of scanned_: the range of paths a case-sensitive regex route could match
  // (RE2::PossibleMatchRange over its literal prefix), so most regex routes are skipped with
  // two string comparisons instead of running the regex. Empty `max`: no bound known.
  struct Range {
    std::string min;
    std::string max;
  };
  std::vector<Range> scanned_ranges_;
};

}  // namespace portico::dp::router
