#pragma once

// An async HTTP/1.1 echo server (Boost.Beast) on one io_context: every request is answered
// with JSON {"name", "method", "path", "query", "headers", "body_bytes"}. Keep-alive, pipelined
// requests are answered in order. Test knobs, by request header:
//   x-echo-status: NNN     answer with that status (200..599)
//   x-echo-delay-ms: N     answer after N ms (an async timer; the connection waits, others don't)
//   x-echo-close: 1        answer with "Connection: close" and close
//   x-echo-reset: 1        read the request, then close the socket with a TCP RST (SO_LINGER 0)
//                          without answering
//   x-echo-fail-times: N   with x-echo-fail-key: K (default ""): only the first N requests this
//                          server sees with key K fail — answer x-echo-status (503 when not
//                          given), or reset, delay, close as asked; later ones answer 200 at once.
//                          Lets a test prove that a retry succeeded.
//   x-echo-only: NAME      the failure knobs above apply only on the backend named NAME; the
//                          others answer 200 at once (one request, different behaviour per
//                          endpoint of a cluster)
//   x-echo-response-header: Name: value
//                          the answer carries this header (repeatable: each field adds one; a
//                          name given replaces the echo's own field of that name, e.g.
//                          Content-Type). For caches: Cache-Control, Vary, Set-Cookie, Expires.
// A WebSocket upgrade request is accepted and echoed (websocket_echo.h).
// GET /__echo/requests answers {"name", "requests", "keys": {K: n}, "log": [...]}: the requests
// this server has answered (or reset) so far, all and per x-echo-fail-key, and the log of them
// ("METHOD target", the last 10000, plus "!<parse error>" for each request it could not parse),
// not counting /__echo/ requests.
// Runtime knobs (health status, a standing delay) and counters: see echo_control.h.
// Threading: everything runs on the io_context's thread; create, start and stop from it (or
// before it runs).

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace portico::tools::echo {

class EchoServer {
 public:
  struct Options {
    std::string name = "echo";
    std::string address = "127.0.0.1";
    uint16_t port = 0;  // 0: the kernel picks a free port
    std::string health_path = "/health";  // answered by EchoControl (echo_control.h)
  };

  // Binds and listens; fails with a message naming the address on bind errors.
  static absl::StatusOr<std::unique_ptr<EchoServer>> create(boost::asio::io_context& io,
                                                            const Options& options);
  ~EchoServer();

  // The bound port (the picked one when Options::port was 0).
  uint16_t port() const;
  const std::string& address() const;
  // Starts accepting connections.
  void start();
  // Stops accepting; open connections finish their current exchange.
  void stop();

  class Impl;

 private:
  explicit EchoServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace portico::tools::echo
