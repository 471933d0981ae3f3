#pragma once

// Cache keys. The primary key of a request names what it asks for: the route (two routes never
// share entries, even for the same URL), the method, the Host (lower case), the path (as
// normalized for routing, without the query), the query (the whole string as received; or,
// when query_params is set, only those parameters, sorted by name; or nothing with
// include_query: false) and the values of the configured key_headers. Each part is
// length-prefixed, so no value can imitate another part.
//
// A response with Vary (RFC 9111 §4.1) is stored under a variant key: the primary key plus the
// request's values of the Vary headers (cache_control.h parseVary), so each combination is its
// own entry; the primary key then holds a marker naming those headers.

#include "data-plane/router/message.h"

#include <string>
#include <string_view>
#include <vector>

#include "data-plane/filters/cache/cache_settings.h"

namespace portico::dp::filters::cache {

struct KeyInput {
  std::string_view route;
  std::string_view method;
  std::string_view host;
  std::string_view path;
  std::string_view query;  // without '?'
  const router::Fields* headers = nullptr;
};

std::string primaryKey(const CacheSettings& settings, const KeyInput& input);

// `primary` extended by the request's values of `vary_names` (lower case).
std::string variantKey(std::string_view primary, const std::vector<std::string>& vary_names,
                       const router::Fields& headers);

// The query string reduced to the parameters named in `keep` (sorted), sorted by name (a stable
// sort: repeated parameters keep their order). Names are compared as received (not decoded).
std::string filterQuery(std::string_view query, const std::vector<std::string>& keep);

}  // namespace portico::dp::filters::cache
