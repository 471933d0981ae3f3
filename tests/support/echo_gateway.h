#pragma once

// The smallest whole gateway, for connection-level tests: portico-cp with one listener and the
// route /echo → service "echo", one echo backend registered as that service, and a
// portico-proxy. `addExtraRoute()` pushes a config change (a second route, /extra) and waits
// until the proxy routes it, so a test can check what a push does to open connections.

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "tests/support/control_plane_process.h"
#include "tests/support/proxy_process.h"
#include "tests/support/test_env.h"

namespace portico::testing {

class EchoGateway {
 public:
  struct Options {
    std::string backend_name = "e1";
    int workers = 2;
  };
  // Starts all three and waits (bounded) until /echo/ answers 200 through the proxy.
  static absl::StatusOr<std::unique_ptr<EchoGateway>> start(const Options& options);

  uint16_t port() const { return port_; }  // the proxy's listener
  ControlPlaneProcess& cp() { return *cp_; }
  ProxyProcess& proxy() { return *proxy_; }
  // The status of a GET through the proxy on a fresh connection; 0 when it failed.
  int status(const std::string& target) const;
  // Reloads the config with /extra added; false if the proxy did not route it within 20 s.
  bool addExtraRoute();
  void stop();

 private:
  uint16_t port_ = 0;
  std::unique_ptr<ControlPlaneProcess> cp_;
  std::unique_ptr<EchoBackend> backend_;
  std::unique_ptr<ProxyProcess> proxy_;
};

}  // namespace portico::testing
