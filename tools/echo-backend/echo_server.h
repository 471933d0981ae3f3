#pragma once

// An async HTTP/1.1 echo server (Boost.Beast) on one io_context: every request is answered
// with JSON {"name", "method", "path", "query", "headers", "body_bytes"}. Keep-alive, pipelined
// requests are answered in order. Test knobs, by request header:
//   x-echo-status: NNN     answer with that status (200..599)
//   x-echo-delay-ms: N     answer after N ms (an async timer; the connection waits, others don't)
//   x-echo-close: 1        answer with "Connection: close" and close
// GET /__echo/requests answers {"requests": ["METHOD target", ...]}: every request received so
// far (the last 10000), "!<parse error>" for each one that could not be parsed; tests use it
// to prove what did (and did not) reach the backend.
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
