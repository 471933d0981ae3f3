#pragma once

// Request path normalization before route matching (Envoy's HttpConnectionManager
// normalize_path, merge_slashes and path_with_escaped_slashes_action). The normalized path is
// both what routes match and what goes upstream, so "/public/../admin" and
// "/public/%2e%2e/admin" can only ever reach the route for "/admin".
//
// The steps, in Envoy's order:
// 1. Escaped slashes (%2F %2f %5C %5c), independent of `normalize`: kept as they are (upper
//    cased when normalizing), refused, or unescaped to '/' before anything else.
// 2. With `normalize` (RFC 3986): percent-decode the unreserved characters (§2.3: ALPHA DIGIT
//    - . _ ~), upper-case every other escape (§6.2.2.1), turn a raw '\' into '/' (as browsers
//    and Envoy's URL canonicaliser do, so Windows-style upstreams cannot be confused), then
//    remove dot segments (§5.2.4).
// 3. With `merge_slashes`: collapse runs of '/' into one.
//
// Invalid input (only checked when normalizing): a path that does not start with '/', a '%' not
// followed by two hex digits, or a '#' (a fragment never belongs in a request target).
//
// Pure and thread-safe. The output never is longer than the input, and normalizing an output
// again gives the same output (the fuzzer in fuzz/ checks both).

#include <string>
#include <string_view>

namespace portico::dp::http {

enum class EscapedSlashes {
  kKeep,      // leave %2F / %5C as they are (Envoy's KEEP_UNCHANGED and its default)
  kReject,    // refuse the request (400)
  kUnescape,  // decode them to '/' before normalizing (Envoy's UNESCAPE_AND_FORWARD)
};

struct PathOptions {
  bool normalize = false;
  bool merge_slashes = false;
  EscapedSlashes escaped_slashes = EscapedSlashes::kKeep;

  bool any() const { return normalize || merge_slashes || escaped_slashes != EscapedSlashes::kKeep; }
};

enum class PathResult {
  kUnchanged,     // already normal: `out` was not touched
  kChanged,       // `out` holds the normalized path
  kInvalid,       // malformed (see above): refuse with 400
  kEscapedSlash,  // an escaped slash with EscapedSlashes::kReject: refuse with 400
};

// Normalizes `path` (the request target without its query) as `options` ask. Allocates only
// when the path changes (into `out`, whose capacity a caller can reuse).
PathResult normalizePath(std::string_view path, const PathOptions& options, std::string& out);

}  // namespace portico::dp::http
