#pragma once

// A small HTTP/1.1 server for admin endpoints and REST APIs (Boost.Beast). It runs on its own
// thread with its own io_context, separate from any traffic listener. Handlers run on that
// thread, one request at a time per connection.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/http/http_types.h"

namespace portico::http {

class AdminServer {
 public:
  struct Options {
    std::string address = "0.0.0.0";
    uint16_t port = 0;                      // 0: pick a free port (see port())
    size_t max_body_bytes = 1 << 20;        // larger bodies get 413
    size_t max_header_bytes = 16 << 10;     // larger headers get 431
    int idle_timeout_seconds = 60;
  };
  using Handler = std::function<HttpResponse(const HttpRequest&)>;

  // Binds and starts serving on a new thread. Returns an error when the address cannot be bound.
  static absl::StatusOr<std::unique_ptr<AdminServer>> start(const Options& options, Handler handler);

  ~AdminServer();
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  // The bound port (useful with port 0).
  uint16_t port() const;
  // Stops accepting, closes connections and joins the thread. Idempotent.
  void stop();

  class Impl;

 private:
  explicit AdminServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace portico::http
