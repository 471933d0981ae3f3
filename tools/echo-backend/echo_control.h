#pragma once

// Runtime test knobs of the echo backend, on reserved paths (a test changes a backend's
// behaviour for every later request, whoever sends them, e.g. the proxy's health checker):
//   GET <health path>       (default /health) answers the current health status with
//                           {"name", "status"}; counted as a health check
//   PUT /__echo/health      {"status": 503}: the health path answers that status from now on
//                           (100..599; {"status": 200} restores it)
//   PUT /__echo/delay       {"ms": 300}: every ordinary request is answered that much later (on
//                           top of x-echo-delay-ms), making this backend "slow"; 0 clears it
//   GET /__echo/stats       {"health_checks", "health_checks_by_user_agent", "requests",
//                           "health_status", "delay_ms"}: requests counts ordinary requests
// Threading: the server's io_context thread only (no locks).

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace portico::tools::echo {

class EchoControl {
 public:
  using Request = boost::beast::http::request<boost::beast::http::string_body>;
  using Response = boost::beast::http::response<boost::beast::http::string_body>;

  EchoControl(std::string name, std::string health_path)
      : name_(std::move(name)), health_path_(std::move(health_path)) {}

  // The answer to a health or control request; nullopt for an ordinary request (counted).
  std::optional<Response> handle(const Request& request);
  // Extra delay for ordinary requests, set by PUT /__echo/delay.
  int64_t delayMs() const { return delay_ms_; }

 private:
  Response json(const Request& request, unsigned status, std::string body) const;
  Response setInt(const Request& request, const char* key, int64_t min, int64_t max, int64_t& target);
  Response stats(const Request& request) const;

  const std::string name_;
  const std::string health_path_;
  int64_t health_status_ = 200;
  int64_t delay_ms_ = 0;
  uint64_t health_checks_ = 0;
  std::map<std::string, uint64_t> health_checks_by_agent_;
  uint64_t requests_ = 0;
};

}  // namespace portico::tools::echo
