#include "common/http/http_types.h"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <boost/url/parse_query.hpp>

namespace portico::http {

const std::string* HttpRequest::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key == name) {
      return &value;
    }
  }
  return nullptr;
}

std::string HttpRequest::queryParam(std::string_view name) const {
  auto params = boost::urls::parse_query(query);
  if (!params) {
    return {};
  }
  // Keys and values are compared and returned percent-decoded.
  for (auto param : *params) {
    if (param.key.decode() == name) {
      return param.value.decode();
    }
  }
  return {};
}

HttpResponse jsonError(int status, std::string_view code, std::string_view message) {
  boost::json::object body;
  body["error"] = code;
  body["message"] = message;
  HttpResponse response;
  response.status = status;
  response.body = boost::json::serialize(body);
  return response;
}

HttpResponse jsonResponse(std::string body, int status) {
  HttpResponse response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

HttpResponse textResponse(std::string body, int status, std::string content_type) {
  HttpResponse response;
  response.status = status;
  response.content_type = std::move(content_type);
  response.body = std::move(body);
  return response;
}

}  // namespace portico::http
