#pragma once

// A real portico-cp on loopback with ports picked at run time, for integration and interop
// tests. Starts with a config file (or the built-in default), waits for /readyz.

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/http/http_client.h"
#include "tests/support/process.h"

namespace portico::testing {

class ControlPlaneProcess {
 public:
  struct Options {
    std::string config_yaml;   // written to a temp file; empty: no --config
    std::vector<std::string> extra_args;
    uint16_t xds_port = 0;     // 0: pick
    uint16_t admin_port = 0;   // 0: pick
    // Written to a file passed as --admin_token_file, and sent as a bearer token by request()
    // and the helpers below; empty: no token.
    std::string admin_token;
    std::vector<std::string> env;  // "NAME=value" added to the process's environment
  };
  static absl::StatusOr<std::unique_ptr<ControlPlaneProcess>> start(const Options& options);

  uint16_t xdsPort() const { return xds_port_; }
  uint16_t adminPort() const { return admin_port_; }
  std::string xdsAddress() const;  // "127.0.0.1:<xds port>"
  Process& process() { return *process_; }

  // REST calls on the admin port (with the admin token, when the options set one).
  absl::StatusOr<http::ClientResponse> get(const std::string& target) const;
  absl::StatusOr<http::ClientResponse> request(const std::string& method, const std::string& target,
                                               const std::string& body = "") const;
  // `request` as given: no token added (for tests of the token itself).
  absl::StatusOr<http::ClientResponse> send(const http::ClientRequest& request) const;
  // The directory of the control plane's files (config, token, log).
  const std::string& dir() const { return dir_; }
  // PUT /v1/services/{service}/instances/{id}; true on 200/201.
  bool registerInstance(const std::string& service, const std::string& id, const std::string& address,
                        uint16_t port, int ttl_seconds = 0) const;
  bool deregisterInstance(const std::string& service, const std::string& id) const;

  // Rewrites the config file and sends SIGHUP (the control plane reloads it).
  void reloadConfig(const std::string& yaml);
  // Stops (SIGTERM) and starts again on the same ports, with the same config.
  absl::Status restart();
  void stop();

 private:
  absl::Status launch();
  Options options_;
  std::string dir_;
  uint16_t xds_port_ = 0;
  uint16_t admin_port_ = 0;
  std::unique_ptr<Process> process_;
};

}  // namespace portico::testing
