#include "data-plane/http/local_reply.h"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace portico::dp::http {

namespace bhttp = boost::beast::http;

Response localReply(int status, std::string_view code, std::string_view message, std::string_view request_id,
                    unsigned version, bool keep_alive) {
  boost::json::object body;
  body["error"] = code;
  body["message"] = message;
  if (!request_id.empty()) {
    body["request_id"] = request_id;
  }
  Response response{static_cast<bhttp::status>(status), version};
  response.set(bhttp::field::server, "portico");
  response.set(bhttp::field::content_type, "application/json");
  response.body() = boost::json::serialize(body);
  response.body().push_back('\n');
  response.keep_alive(keep_alive);
  response.prepare_payload();
  return response;
}

}  // namespace portico::dp::http
