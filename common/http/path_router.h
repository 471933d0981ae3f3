#pragma once

// Dispatches admin/REST requests by method and path pattern. Patterns are literal segments and
// "{name}" captures: "/v1/services/{service}/instances/{id}". First registered match wins.

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "common/http/http_types.h"

namespace portico::http {

using PathParams = std::map<std::string, std::string, std::less<>>;
using RouteHandler = std::function<HttpResponse(const HttpRequest&, const PathParams&)>;

class PathRouter {
 public:
  // Registers a handler. `method` is e.g. "GET"; a GET handler also answers HEAD.
  void add(std::string method, std::string pattern, RouteHandler handler);

  // Dispatches; answers 404 for an unknown path and 405 (with Allow) for a known path with
  // another method.
  HttpResponse dispatch(const HttpRequest& request) const;

 private:
  struct Entry {
    std::string method;
    std::vector<std::string> segments;
    RouteHandler handler;
  };
  static bool match(const Entry& entry, const std::vector<std::string>& segments, PathParams& params);

  std::vector<Entry> entries_;
};

}  // namespace portico::http
