#pragma once

// Plain request/response values for the admin servers and REST APIs. These keep Beast out of
// the handler interfaces: admin traffic is not the hot path, clarity beats zero-copy here.

#include <string>
#include <utility>
#include <vector>

namespace portico::http {

struct HttpRequest {
  std::string method;  // upper case, e.g. "GET"
  std::string path;    // decoded path without the query
  // The path as received (still percent-encoded). PathRouter splits this one, so an encoded
  // '/' ("%2F") stays inside its segment; empty: split `path` (requests built in code).
  std::string raw_path;
  std::string query;   // raw query string without '?'
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  std::string remote_address;

  // Returns the first header with this (lower-case) name, or nullptr.
  const std::string* header(std::string_view name) const;
  // Returns the decoded value of a query parameter, or an empty string when absent.
  std::string queryParam(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

// {"error": code, "message": message} with the given HTTP status.
HttpResponse jsonError(int status, std::string_view code, std::string_view message);
// A JSON body (already serialised) with status 200 unless given.
HttpResponse jsonResponse(std::string body, int status = 200);
HttpResponse textResponse(std::string body, int status = 200,
                          std::string content_type = "text/plain; charset=utf-8");

}  // namespace portico::http
