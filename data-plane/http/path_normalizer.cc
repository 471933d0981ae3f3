#include "data-plane/http/path_normalizer.h"

#include <cstring>

namespace portico::dp::http {

namespace {

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

char upperHex(char c) { return c >= 'a' && c <= 'f' ? static_cast<char>(c - 'a' + 'A') : c; }

bool lowerHex(char c) { return c >= 'a' && c <= 'f'; }

// RFC 3986 §2.3.
bool unreserved(int c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

bool slashByte(int c) { return c == '/' || c == '\\'; }

// The value of the escape at path[i] ('%'), or -1 when it is not "%XX".
int escapeAt(std::string_view path, size_t i) {
  if (i + 2 >= path.size()) return -1;
  const int high = hexValue(path[i + 1]);
  const int low = hexValue(path[i + 2]);
  return high < 0 || low < 0 ? -1 : high * 16 + low;
}

// A "." or ".." segment starts right after the '/' at path[i].
bool dotSegmentAfter(std::string_view path, size_t i) {
  const size_t n = path.size();
  if (i + 1 >= n || path[i + 1] != '.') return false;
  if (i + 2 == n || path[i + 2] == '/') return true;
  return path[i + 2] == '.' && (i + 3 == n || path[i + 3] == '/');
}

enum class Scan { kClean, kWork, kInvalid, kEscapedSlash };

// One read-only pass: is the path already normal, does it need rewriting, or is it refused?
// Kept separate from the rewrite so a normal path costs no allocation.
Scan scan(std::string_view path, const PathOptions& options) {
  const bool normalize = options.normalize;
  if (normalize && (path.empty() || path[0] != '/')) return Scan::kInvalid;
  Scan result = Scan::kClean;
  for (size_t i = 0; i < path.size(); ++i) {
    const char c = path[i];
    if (c == '%') {
      const int value = escapeAt(path, i);
      if (value < 0) {
        if (normalize) return Scan::kInvalid;
        continue;
      }
      if (slashByte(value)) {
        if (options.escaped_slashes == EscapedSlashes::kReject) return Scan::kEscapedSlash;
        if (options.escaped_slashes == EscapedSlashes::kUnescape) result = Scan::kWork;
      } else if (normalize && unreserved(value)) {
        result = Scan::kWork;
      }
      if (normalize && (lowerHex(path[i + 1]) || lowerHex(path[i + 2]))) result = Scan::kWork;
      i += 2;
    } else if (c == '#') {
      if (normalize) return Scan::kInvalid;
    } else if (c == '\\') {
      if (normalize) result = Scan::kWork;
    } else if (c == '/') {
      if (normalize && dotSegmentAfter(path, i)) result = Scan::kWork;
      if (options.merge_slashes && i + 1 < path.size() && path[i + 1] == '/') result = Scan::kWork;
    }
  }
  return result;
}

// Step 1 and the character part of step 2 (see the header), from `path` into `out`.
void decode(std::string_view path, const PathOptions& options, std::string& out) {
  const bool normalize = options.normalize;
  out.clear();
  out.reserve(path.size());
  for (size_t i = 0; i < path.size(); ++i) {
    const char c = path[i];
    const int value = c == '%' ? escapeAt(path, i) : -1;
    if (value < 0) {
      out.push_back(normalize && c == '\\' ? '/' : c);
      continue;
    }
    if (slashByte(value) && options.escaped_slashes == EscapedSlashes::kUnescape) {
      out.push_back(normalize || value == '/' ? '/' : '\\');
    } else if (normalize && unreserved(value)) {
      out.push_back(static_cast<char>(value));
    } else if (normalize) {
      out.push_back('%');
      out.push_back(upperHex(path[i + 1]));
      out.push_back(upperHex(path[i + 2]));
    } else {
      out.append(path.substr(i, 3));
    }
    i += 2;
  }
}

// RFC 3986 §5.2.4 in place, segment by segment. `s` starts with '/'. The write position never
// passes the read position, so the buffer is its own output.
void removeDotSegments(std::string& s) {
  const size_t n = s.size();
  size_t w = 0;
  size_t r = 0;
  while (r < n) {
    const size_t start = r + 1;  // s[r] == '/'
    size_t end = s.find('/', start);
    if (end == std::string::npos) end = n;
    const std::string_view segment(s.data() + start, end - start);
    if (segment == "." || segment == "..") {
      if (segment == ".." && w > 0) {
        const size_t slash = s.rfind('/', w - 1);
        w = slash == std::string::npos ? 0 : slash;
      }
      if (end == n) s[w++] = '/';  // "/a/.." → "/", "/a/." → "/a/"
    } else {
      s[w++] = '/';
      std::memmove(s.data() + w, s.data() + start, segment.size());
      w += segment.size();
    }
    r = end;
  }
  if (w == 0) s[w++] = '/';
  s.resize(w);
}

void mergeSlashes(std::string& s) {
  size_t w = 0;
  for (size_t r = 0; r < s.size(); ++r) {
    if (s[r] == '/' && w > 0 && s[w - 1] == '/') continue;
    s[w++] = s[r];
  }
  s.resize(w);
}

}  // namespace

PathResult normalizePath(std::string_view path, const PathOptions& options, std::string& out) {
  if (!options.any()) return PathResult::kUnchanged;
  // A target that is not a path (absolute-form, "*") is only touched when normalizing, which
  // refuses it: slash merging would turn "http://" into "http:/".
  if (!options.normalize && (path.empty() || path[0] != '/')) return PathResult::kUnchanged;
  switch (scan(path, options)) {
    case Scan::kClean:
      return PathResult::kUnchanged;
    case Scan::kInvalid:
      return PathResult::kInvalid;
    case Scan::kEscapedSlash:
      return PathResult::kEscapedSlash;
    case Scan::kWork:
      break;
  }
  decode(path, options, out);
  if (options.normalize) removeDotSegments(out);
  if (options.merge_slashes) mergeSlashes(out);
  return out == path ? PathResult::kUnchanged : PathResult::kChanged;
}

}  // namespace portico::dp::http
