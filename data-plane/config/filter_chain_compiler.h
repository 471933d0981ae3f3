#pragma once

// A listener's HTTP filter chain: the passive companions first (consumers, the JWT policy),
// then every implemented filter built by its factory (filters/builtin_filters.h), then the
// consumers' per-plugin overrides resolved to chain positions. Runs on the xDS thread.

#include <string>
#include <vector>

#include "data-plane/config/route_compiler.h"
#include "data-plane/http/filter.h"

namespace portico::dp::config {

// Builds specs[i].filter for each implemented filter. `base` carries the process-wide parts
// (worker count, JWKS registry). Returns the context the listener's per-route configs are
// compiled with (base + the listener's consumers and JWT policy). Problems are appended to
// `errors`, each prefixed with `where` (the listener's HCM) and the filter.
http::FilterBuildContext compileFilterChain(std::vector<FilterSpec>& specs, const http::FilterBuildContext& base,
                                            const std::string& where, std::vector<std::string>& errors);

}  // namespace portico::dp::config
