#include "tools/porticoctl/cp_client.h"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "common/http/http_client.h"
#include "common/strings.h"

namespace portico::tools::porticoctl {

namespace json = boost::json;

namespace {

// The {"error", "message"} body of an API error, or a short excerpt of anything else.
std::string describeError(const std::string& body) {
  json::error_code ec;
  json::value parsed = json::parse(body, ec);
  if (!ec && parsed.is_object()) {
    const json::object& object = parsed.as_object();
    const json::value* message = object.if_contains("message");
    const json::value* code = object.if_contains("error");
    if (message != nullptr && message->is_string()) {
      std::string text(message->as_string());
      if (code != nullptr && code->is_string()) {
        text = cat(text, " [", std::string_view(code->as_string()), "]");
      }
      return text;
    }
  }
  constexpr size_t kMaxExcerpt = 200;
  std::string excerpt = body.substr(0, kMaxExcerpt);
  while (!excerpt.empty() && (excerpt.back() == '\n' || excerpt.back() == '\r')) {
    excerpt.pop_back();
  }
  return excerpt.empty() ? "(empty body)" : excerpt;
}

}  // namespace

std::string CpClient::address() const {
  if (address_.host.find(':') != std::string::npos) {
    return cat("[", address_.host, "]:", address_.port);
  }
  return cat(address_.host, ":", address_.port);
}

CallResult CpClient::call(std::string_view method, const std::string& target,
                          const std::string& body, std::ostream& err) const {
  http::ClientRequest request;
  request.method = std::string(method);
  request.target = target;
  request.body = body;
  if (!body.empty()) {
    request.headers.emplace_back("content-type", "application/json");
  }
  request.headers.emplace_back("user-agent", "porticoctl");
  if (!token_.empty()) {
    request.headers.emplace_back("authorization", cat("Bearer ", token_));
  }
  CallResult result;
  auto response = http::fetch(address_.host, address_.port, request, timeout_);
  if (!response.ok()) {
    err << "porticoctl: cannot reach the control plane at " << address() << ": "
        << sv(response.status().message())
        << "\n(is portico-cp running? point porticoctl at its admin port with --cp=HOST:PORT or "
           "PORTICO_CP)\n";
    result.exit_code = kExitUnreachable;
    return result;
  }
  result.status = response->status;
  result.body = std::move(response->body);
  if (result.status < 200 || result.status >= 300) {
    err << "porticoctl: " << describeError(result.body) << " (HTTP " << result.status << " from "
        << method << " " << target << ")\n";
    if (result.status == 401) {
      err << (token_.empty() ? "(the control plane requires its admin token: pass --token=TOKEN or set "
                               "PORTICO_TOKEN)\n"
                             : "(the token given with --token or PORTICO_TOKEN is not the control plane's "
                               "admin token)\n");
    }
    result.exit_code = kExitError;
  }
  return result;
}

std::string urlEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  return out;
}

}  // namespace portico::tools::porticoctl
