#pragma once

// The HTTP filters this proxy implements, by the type URL of their filter-level config
// (gRPC's explicit registry: no static registrars, which the linker may drop from a static
// library). Add a filter by adding one line to the table in builtin_filters.cc.

#include <string_view>

#include "data-plane/http/filter.h"

namespace portico::dp::filters {

// The factory for `type_url`, or null when this proxy does not implement that filter.
const http::FilterFactory* findFilterFactory(std::string_view type_url);

}  // namespace portico::dp::filters
