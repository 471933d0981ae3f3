#pragma once

// A filter of the listener's chain as one route sees it: whether the route enables it, and the
// route's per-route config for it. Every route carries one entry per filter of its listener's
// chain, in chain order, so a consumer's override can switch on a filter the route leaves off
// (Kong: a consumer-scoped plugin applies wherever that consumer goes).

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "data-plane/http/filter.h"
#include "data-plane/http/filter_replies.h"

namespace portico::dp::http {

struct ActiveFilter {
  HttpFilterConstSharedPtr filter;        // never null
  FilterRouteConfigConstSharedPtr config; // the route's (else the virtual host's); null: none
  uint16_t chain_index = 0;               // position in the listener's http_filters
  bool enabled = false;                   // on for this route (before consumer overrides)
  std::string name;                       // the filter's name in http_filters
  // Its local answers' counters (shared by the routes of the listener); null: not counted.
  std::shared_ptr<const FilterReplies> replies;
};
using ActiveFilters = std::vector<ActiveFilter>;

}  // namespace portico::dp::http
