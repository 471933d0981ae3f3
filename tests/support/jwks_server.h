#pragma once

// A real HTTPS JWKS endpoint on 127.0.0.1 for tests: its own CA (written to a PEM file the
// proxy is given as jwks_ca) and a server certificate for IP 127.0.0.1 and "localhost", served
// by Beast over Asio SSL on a thread of its own. Tests change the served key set (rotation),
// take the server down and bring it back on the same port, and count the fetches.

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

namespace portico::testing {

class JwksServer {
 public:
  // Starts serving `body` at every path (status 200, application/json). `dir`: where the CA
  // PEM goes.
  static std::unique_ptr<JwksServer> start(const std::string& dir, std::string body);
  ~JwksServer();

  uint16_t port() const { return port_; }
  std::string uri() const;            // https://127.0.0.1:<port>/jwks.json
  const std::string& caFile() const { return ca_file_; }
  void setBody(std::string body);
  void setStatus(int status);         // e.g. 500 to make fetches fail while it is up
  void setDelayMs(int delay_ms);      // wait this long before answering
  int fetches() const { return fetches_.load(); }
  // Stops listening (connections are refused), then listens again on the same port.
  void stop();
  void restart();

  class Impl;

 private:
  JwksServer() = default;
  uint16_t port_ = 0;
  std::string ca_file_;
  std::atomic<int> fetches_{0};
  std::unique_ptr<Impl> impl_;
};

}  // namespace portico::testing
