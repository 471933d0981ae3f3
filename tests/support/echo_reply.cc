#include "tests/support/echo_reply.h"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

namespace portico::testing {

namespace json = boost::json;

EchoReply parseEchoReply(const http::ClientResponse& response) {
  EchoReply out;
  out.status = response.status;
  out.body = response.body;
  if (response.header("x-echo-name") == nullptr) return out;  // not from an echo backend
  boost::system::error_code ec;
  json::value parsed = json::parse(response.body, ec);
  if (ec || !parsed.is_object()) return out;
  const json::object& object = parsed.as_object();
  out.backend = std::string(object.at("name").as_string());
  out.method = std::string(object.at("method").as_string());
  out.path = std::string(object.at("path").as_string());
  out.query = std::string(object.at("query").as_string());
  for (const auto& [name, value] : object.at("headers").as_object()) {
    out.headers[std::string(name)] = std::string(value.as_string());
  }
  return out;
}

std::string headerOf(const EchoReply& reply, const std::string& name) {
  auto it = reply.headers.find(name);
  return it == reply.headers.end() ? "<absent>" : it->second;
}

std::string localErrorCode(const std::string& body) {
  boost::system::error_code ec;
  json::value parsed = json::parse(body, ec);
  if (ec || !parsed.is_object() || !parsed.as_object().contains("error")) return "";
  const json::value& error = parsed.as_object().at("error");
  return error.is_string() ? std::string(error.as_string()) : "";
}

}  // namespace portico::testing
