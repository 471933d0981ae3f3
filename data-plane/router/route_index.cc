#include "data-plane/router/route_index.h"

#include <algorithm>
#include <array>
#include <limits>

#include "common/strings.h"
#include "data-plane/router/route_table.h"

namespace portico::dp::router {

namespace {

// A read position in one ascending list of route positions.
struct Cursor {
  const uint32_t* next;
  const uint32_t* end;
};

const Route* linearMatch(const std::vector<Route>& routes, const RequestView& request) {
  for (const Route& route : routes) {
    if (route.matches(request)) return &route;
  }
  return nullptr;
}

}  // namespace

RouteIndex::RouteIndex(const std::vector<Route>& routes) {
  for (uint32_t i = 0; i < routes.size(); ++i) {
    const Route& route = routes[i];
    if (route.case_sensitive && route.path_match == Route::PathMatch::kPrefix) {
      prefixes_[route.path].push_back(i);
    } else if (route.case_sensitive && route.path_match == Route::PathMatch::kExact) {
      exact_[route.path].push_back(i);
    } else {
      scanned_.push_back(i);
      Range& range = scanned_ranges_.emplace_back();
      if (route.path_match == Route::PathMatch::kRegex && route.case_sensitive &&
          !route.regex->PossibleMatchRange(&range.min, &range.max, 64)) {
        range = Range{};
      }
    }
  }
  for (const auto& [prefix, positions] : prefixes_) prefix_lengths_.push_back(prefix.size());
  std::sort(prefix_lengths_.begin(), prefix_lengths_.end());
  prefix_lengths_.erase(std::unique(prefix_lengths_.begin(), prefix_lengths_.end()), prefix_lengths_.end());
}

const Route* RouteIndex::match(const std::vector<Route>& routes, const RequestView& request) const {
  std::array<Cursor, kMaxCursors> cursors;
  int count = 0;
  auto add = [&](const Positions& positions) {
    if (!positions.empty()) cursors[count++] = Cursor{positions.data(), positions.data() + positions.size()};
  };
  add(scanned_);
  if (auto it = exact_.find(av(request.path)); it != exact_.end()) add(it->second);
  for (size_t length : prefix_lengths_) {
    if (length > request.path.size()) break;
    if (count == kMaxCursors) return linearMatch(routes, request);
    if (auto it = prefixes_.find(av(request.path.substr(0, length))); it != prefixes_.end()) add(it->second);
  }
  // Visit the candidates in xDS order: repeatedly take the smallest next position.
  while (true) {
    int best = -1;
    uint32_t best_position = std::numeric_limits<uint32_t>::max();
    for (int c = 0; c < count; ++c) {
      if (cursors[c].next != cursors[c].end && *cursors[c].next < best_position) {
        best = c;
        best_position = *cursors[c].next;
      }
    }
    if (best < 0) return nullptr;
    if (best == 0 && !scanned_.empty()) {
      // Cursor 0 is the scanned list: skip a regex route the path cannot be in the range of.
      const Range& range = scanned_ranges_[static_cast<size_t>(cursors[0].next - scanned_.data())];
      ++cursors[0].next;
      if (!range.max.empty() && (request.path < range.min || request.path > range.max)) continue;
    } else {
      ++cursors[best].next;
    }
    const Route& route = routes[best_position];
    if (route.matches(request)) return &route;
  }
}

}  // namespace portico::dp::router
