#pragma once

// Envoy's regex, StringMatcher and HeaderMatcher messages compiled into the router's matchers.
// Shared by the route compiler (route matches) and the retry policy compiler (retriable request
// and response headers). Problems are appended to `errors`, prefixed with `where`.

#include <re2/re2.h>

#include <memory>
#include <string>
#include <vector>

#include "data-plane/router/route_table.h"
#include "envoy/config/route/v3/route_components.pb.h"
#include "envoy/type/matcher/v3/string.pb.h"

namespace portico::dp::config {

// Null (with the error recorded) when `pattern` is not a valid RE2.
std::shared_ptr<const re2::RE2> compileRegex(const std::string& pattern, bool case_sensitive,
                                             const std::string& where,
                                             std::vector<std::string>& errors);

// A StringMatcher as the (kind, value, regex, ignore_case) our matchers use.
struct CompiledString {
  router::HeaderMatcher::Kind kind = router::HeaderMatcher::Kind::kExact;
  std::string value;
  std::shared_ptr<const re2::RE2> regex;
  bool ignore_case = false;
};

// False (with the error recorded) when the matcher has no pattern or a bad regex.
bool compileStringMatcher(const envoy::type::matcher::v3::StringMatcher& m,
                          const std::string& where, CompiledString& out,
                          std::vector<std::string>& errors);

bool compileHeaderMatcher(const envoy::config::route::v3::HeaderMatcher& in,
                          const std::string& where, router::HeaderMatcher& out,
                          std::vector<std::string>& errors);

}  // namespace portico::dp::config
