#pragma once

// A small HTTP/1.1 server on 127.0.0.1 (port chosen by the kernel) for tests that need a
// service with scripted answers (an authorization service, a key server...). It runs its own
// thread; `handler` is called on it for each request, may delay its answer without blocking
// other connections, and sees every request (recorded for assertions).
//
// An answer is either a Beast response (made HTTP/1.1, its keep-alive following the request's)
// or, for tests of what a client does with unusual or broken responses, exact raw bytes.

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"

namespace portico::testing {

class ScriptedHttpServer {
 public:
  using Request = boost::beast::http::request<boost::beast::http::string_body>;
  using Response = boost::beast::http::response<boost::beast::http::string_body>;
  struct Answer {
    Response response;
    std::chrono::milliseconds delay{0};  // wait this long before answering
    bool close_without_answer = false;   // drop the connection instead
    // When not empty, these exact bytes are written instead of `response` (nothing is added or
    // checked: a malformed head, a chunked body, a 1xx before the final answer...).
    std::string raw;
    bool close_after = false;  // close the connection once the answer is written
  };
  using Handler = std::function<Answer(const Request&)>;

  static absl::StatusOr<std::unique_ptr<ScriptedHttpServer>> start(Handler handler);
  ~ScriptedHttpServer();

  uint16_t port() const { return port_; }
  size_t requestCount() const { return count_.load(); }
  size_t connectionCount() const { return connections_.load(); }  // accepted so far
  std::vector<Request> requests() const;  // every request so far, in arrival order
  void stop();

  ScriptedHttpServer(const ScriptedHttpServer&) = delete;
  ScriptedHttpServer& operator=(const ScriptedHttpServer&) = delete;

 private:
  struct Impl;
  ScriptedHttpServer() = default;

  std::unique_ptr<Impl> impl_;
  uint16_t port_ = 0;
  std::atomic<size_t> count_{0};
  std::atomic<size_t> connections_{0};
  mutable std::mutex mu_;
  std::vector<Request> requests_;
  std::thread thread_;
};

// A response with `status`, `body` and the given headers (Content-Length set).
ScriptedHttpServer::Response scriptedResponse(unsigned status, std::string body = "",
                                              std::vector<std::pair<std::string, std::string>> headers = {});

}  // namespace portico::testing
