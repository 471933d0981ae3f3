#include "common/http/path_router.h"

#include <boost/url/pct_string_view.hpp>

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/strings.h"

namespace portico::http {
namespace {

std::vector<std::string> splitPath(std::string_view path) {
  std::vector<std::string> out;
  for (absl::string_view part : absl::StrSplit(av(path), '/', absl::SkipEmpty())) {
    out.emplace_back(part);
  }
  return out;
}

// Splits the encoded path, then decodes each segment: "/v1/x/a%2Fb" has the segments
// "v1", "x", "a/b". A segment that is not valid percent-encoding is kept as received.
std::vector<std::string> requestSegments(const HttpRequest& request) {
  if (request.raw_path.empty()) {
    return splitPath(request.path);
  }
  std::vector<std::string> out = splitPath(request.raw_path);
  for (std::string& segment : out) {
    if (auto decoded = boost::urls::make_pct_string_view(segment)) {
      segment = decoded->decode();
    }
  }
  return out;
}

}  // namespace

void PathRouter::add(std::string method, std::string pattern, RouteHandler handler) {
  entries_.push_back(Entry{std::move(method), splitPath(pattern), std::move(handler)});
}

bool PathRouter::match(const Entry& entry, const std::vector<std::string>& segments,
                       PathParams& params) {
  if (entry.segments.size() != segments.size()) {
    return false;
  }
  params.clear();
  for (size_t i = 0; i < segments.size(); ++i) {
    const std::string& want = entry.segments[i];
    if (want.size() > 2 && want.front() == '{' && want.back() == '}') {
      if (segments[i].empty()) {
        return false;
      }
      params[want.substr(1, want.size() - 2)] = segments[i];
    } else if (want != segments[i]) {
      return false;
    }
  }
  return true;
}

HttpResponse PathRouter::dispatch(const HttpRequest& request) const {
  const std::vector<std::string> segments = requestSegments(request);
  std::vector<std::string> allowed;
  PathParams params;
  for (const Entry& entry : entries_) {
    if (!match(entry, segments, params)) {
      continue;
    }
    if (entry.method == request.method || (entry.method == "GET" && request.method == "HEAD")) {
      return entry.handler(request, params);
    }
    allowed.push_back(entry.method);
  }
  if (!allowed.empty()) {
    HttpResponse response = jsonError(405, "method_not_allowed",
                                      "method " + request.method + " is not allowed on " + request.path);
    response.headers.emplace_back("Allow", absl::StrJoin(allowed, ", "));
    return response;
  }
  return jsonError(404, "not_found", "no such endpoint: " + request.path);
}

}  // namespace portico::http
