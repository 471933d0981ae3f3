#pragma once

// A real portico-proxy connected to a control plane, with its admin port picked at run time.

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/http/http_client.h"
#include "tests/support/process.h"

namespace portico::testing {

class ProxyProcess {
 public:
  struct Options {
    std::string xds_address;  // "127.0.0.1:<port>" of portico-cp
    std::string node_id = "test-proxy";
    std::string group;        // empty: default
    int workers = 2;
    std::vector<std::string> extra_args;
    bool wait_ready = true;   // wait for /ready before returning
  };
  static absl::StatusOr<std::unique_ptr<ProxyProcess>> start(const Options& options);

  uint16_t adminPort() const { return admin_port_; }
  Process& process() { return *process_; }
  bool ready() const;
  absl::StatusOr<http::ClientResponse> admin(const std::string& target) const;
  void stop();

 private:
  std::string dir_;
  uint16_t admin_port_ = 0;
  std::unique_ptr<Process> process_;
};

// The example backend (tools/echo-backend): answers every request with JSON naming itself.
class EchoBackend {
 public:
  struct Options {
    std::string name;
    std::string register_with;  // "127.0.0.1:<cp admin port>" to self-register; empty: no
    std::string service;
    int ttl_seconds = 10;
    std::vector<std::string> extra_args;  // e.g. --token_file=...
  };
  static absl::StatusOr<std::unique_ptr<EchoBackend>> start(const Options& options);
  uint16_t port() const { return port_; }
  const std::string& name() const { return name_; }
  Process& process() { return *process_; }
  void stop();

 private:
  std::string name_;
  uint16_t port_ = 0;
  std::unique_ptr<Process> process_;
};

}  // namespace portico::testing
