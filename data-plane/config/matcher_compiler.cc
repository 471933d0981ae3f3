#include "data-plane/config/matcher_compiler.h"

#include "absl/strings/ascii.h"
#include "common/strings.h"

namespace portico::dp::config {

using router::HeaderMatcher;
using Errors = std::vector<std::string>;

std::shared_ptr<const re2::RE2> compileRegex(const std::string& pattern, bool case_sensitive,
                                             const std::string& where, Errors& errors) {
  re2::RE2::Options options;
  options.set_case_sensitive(case_sensitive);
  options.set_log_errors(false);
  auto regex = std::make_shared<re2::RE2>(pattern, options);
  if (!regex->ok()) {
    errors.push_back(cat(where, ": invalid RE2 \"", pattern, "\": ", regex->error()));
    return nullptr;
  }
  return regex;
}

bool compileStringMatcher(const envoy::type::matcher::v3::StringMatcher& m,
                          const std::string& where, CompiledString& out, Errors& errors) {
  using StringMatcher = envoy::type::matcher::v3::StringMatcher;
  out.ignore_case = m.ignore_case();
  switch (m.match_pattern_case()) {
    case StringMatcher::kExact:
      out.kind = HeaderMatcher::Kind::kExact;
      out.value = m.exact();
      return true;
    case StringMatcher::kPrefix:
      out.kind = HeaderMatcher::Kind::kPrefix;
      out.value = m.prefix();
      return true;
    case StringMatcher::kSuffix:
      out.kind = HeaderMatcher::Kind::kSuffix;
      out.value = m.suffix();
      return true;
    case StringMatcher::kContains:
      out.kind = HeaderMatcher::Kind::kContains;
      out.value = m.contains();
      return true;
    case StringMatcher::kSafeRegex:
      out.kind = HeaderMatcher::Kind::kRegex;
      out.regex = compileRegex(m.safe_regex().regex(), !m.ignore_case(), where, errors);
      return out.regex != nullptr;
    default:
      errors.push_back(
          cat(where, ": a string matcher needs exact, prefix, suffix, contains or safe_regex"));
      return false;
  }
}

bool compileHeaderMatcher(const envoy::config::route::v3::HeaderMatcher& in,
                          const std::string& where, HeaderMatcher& out, Errors& errors) {
  out.name = absl::AsciiStrToLower(in.name());
  out.invert = in.invert_match();
  switch (in.header_match_specifier_case()) {
    case envoy::config::route::v3::HeaderMatcher::kExactMatch:
      out.kind = HeaderMatcher::Kind::kExact;
      out.value = in.exact_match();
      return true;
    case envoy::config::route::v3::HeaderMatcher::kSafeRegexMatch:
      out.kind = HeaderMatcher::Kind::kRegex;
      out.regex = compileRegex(in.safe_regex_match().regex(), true, where, errors);
      return out.regex != nullptr;
    case envoy::config::route::v3::HeaderMatcher::kPresentMatch:
      out.kind = HeaderMatcher::Kind::kPresent;
      out.present = in.present_match();  // false means "absent"
      return true;
    case envoy::config::route::v3::HeaderMatcher::kPrefixMatch:
      out.kind = HeaderMatcher::Kind::kPrefix;
      out.value = in.prefix_match();
      return true;
    case envoy::config::route::v3::HeaderMatcher::kSuffixMatch:
      out.kind = HeaderMatcher::Kind::kSuffix;
      out.value = in.suffix_match();
      return true;
    case envoy::config::route::v3::HeaderMatcher::kContainsMatch:
      out.kind = HeaderMatcher::Kind::kContains;
      out.value = in.contains_match();
      return true;
    case envoy::config::route::v3::HeaderMatcher::kRangeMatch:
      out.kind = HeaderMatcher::Kind::kRange;
      out.range_start = in.range_match().start();
      out.range_end = in.range_match().end();
      return true;
    case envoy::config::route::v3::HeaderMatcher::kStringMatch: {
      CompiledString compiled;
      if (!compileStringMatcher(in.string_match(), where, compiled, errors)) return false;
      out.kind = compiled.kind;
      out.value = std::move(compiled.value);
      out.regex = std::move(compiled.regex);
      out.ignore_case = compiled.ignore_case;
      return true;
    }
    default:
      break;
  }
  errors.push_back(cat(where, ": a header matcher needs a match specifier"));
  return false;
}

}  // namespace portico::dp::config
