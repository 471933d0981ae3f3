#include "tools/echo-backend/echo_control.h"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "common/strings.h"

namespace portico::tools::echo {

namespace bhttp = boost::beast::http;
namespace json = boost::json;

namespace {
constexpr int64_t kMaxDelayMs = 10 * 60 * 1000;
}  // namespace

EchoControl::Response EchoControl::json(const Request& request, unsigned status, std::string body) const {
  Response response(static_cast<bhttp::status>(status), request.version());
  response.set(bhttp::field::server, "portico-echo");
  response.set("x-echo-name", name_);
  // 1xx, 204 and 304 carry no body (Beast's prepare_payload throws on one), e.g. a health status
  // set to 204.
  if (status / 100 == 1 || status == 204 || status == 304) return response;
  response.set(bhttp::field::content_type, "application/json");
  response.body() = std::move(body);
  return response;
}

// Reads {"<key>": <integer in [min, max]>} from the body into `target`.
EchoControl::Response EchoControl::setInt(const Request& request, const char* key, int64_t min, int64_t max,
                                          int64_t& target) {
  boost::system::error_code ec;
  const json::value body = json::parse(request.body(), ec);
  const json::value* value = !ec && body.is_object() ? body.as_object().if_contains(key) : nullptr;
  if (value == nullptr || !value->is_int64() || value->as_int64() < min || value->as_int64() > max) {
    json::object error;
    error["error"] = "bad_request";
    error["message"] = cat("want {\"", key, "\": ", min, "..", max, "}");
    return json(request, 400, json::serialize(error));
  }
  target = value->as_int64();
  return stats(request);
}

EchoControl::Response EchoControl::stats(const Request& request) const {
  json::object out;
  out["health_checks"] = health_checks_;
  json::object by_agent;
  for (const auto& [agent, count] : health_checks_by_agent_) by_agent[agent] = count;
  out["health_checks_by_user_agent"] = std::move(by_agent);
  out["requests"] = requests_;
  out["health_status"] = health_status_;
  out["delay_ms"] = delay_ms_;
  return json(request, 200, json::serialize(out));
}

std::optional<EchoControl::Response> EchoControl::handle(const Request& request) {
  std::string_view target = request.target();
  const std::string_view path = target.substr(0, target.find('?'));
  if (path == health_path_) {
    ++health_checks_;
    ++health_checks_by_agent_[std::string(request[bhttp::field::user_agent])];
    json::object body;
    body["name"] = name_;
    body["status"] = health_status_;
    return json(request, static_cast<unsigned>(health_status_), json::serialize(body));
  }
  if (path == "/__echo/health" && request.method() == bhttp::verb::put) {
    return setInt(request, "status", 100, 599, health_status_);
  }
  if (path == "/__echo/delay" && request.method() == bhttp::verb::put) {
    return setInt(request, "ms", 0, kMaxDelayMs, delay_ms_);
  }
  if (path == "/__echo/stats" && request.method() == bhttp::verb::get) return stats(request);
  ++requests_;
  return std::nullopt;
}

}  // namespace portico::tools::echo
