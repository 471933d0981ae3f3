#pragma once

// A whole gateway for end-to-end suites: a real portico-cp started from the suite's portico.yaml,
// one echo backend (tools/echo-backend) that registers itself as service "echo", and one or more
// portico-proxy processes connected to that control plane. Requests go through the proxy's
// listener on 127.0.0.1, on a fresh connection each, bounded in time.
//
// The fixture picks the listener port when it is constructed, so the suite can write it into
// the config before start(). Servers the config points at (an authorization service, a JWKS
// server) are the suite's own: it starts them first and writes their ports into the config too.
//
//   GatewayFixture gateway({.proxy = {.workers = 1}});
//   absl::Status started = gateway.start(configYaml(gateway.port()));
//   EchoReply reply = gateway.send("GET", "/open/a");
//
// More proxies join the same control plane with addProxy() (same group: they share the listener
// port through SO_REUSEPORT; another group: its own listeners, see waitUntilServing()).
//
// Thread safety: fetch() may be called from several threads at once; send(), header() and
// last() share the last response under a mutex. start(), addProxy() and the destructor belong
// to one thread.

#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/http/http_client.h"
#include "tests/support/control_plane_process.h"
#include "tests/support/echo_reply.h"
#include "tests/support/proxy_process.h"

namespace portico::testing {

class GatewayFixture {
 public:
  // One portico-proxy. An empty node id becomes "proxy-<n>", n counting the fixture's proxies
  // from 1 (the first, started by start(), is "proxy-1").
  struct ProxyOptions {
    std::string node_id;
    std::string group;  // empty: the default group
    int workers = 2;
    std::vector<std::string> extra_args;  // e.g. --jwks_min_refetch_interval=300ms
  };

  struct Options {
    ProxyOptions proxy;  // the first proxy, started by start()
    // portico-cp's admin token (empty: none). The echo backend registers with it.
    std::string admin_token;
    // start() waits until a GET of this path through the proxy is answered by the echo backend.
    std::string ready_path = "/open/ready";
    // The echo backend's name (it answers with it; EchoReply::backend).
    std::string backend_name = "echo-1";
    // Bound of every request the fixture sends.
    absl::Duration request_timeout = absl::Seconds(5);
  };

  // Picks the listener port; starts nothing.
  explicit GatewayFixture(Options options);
  GatewayFixture() : GatewayFixture(Options{}) {}
  // Stops the proxies, the backend and the control plane, in that order.
  ~GatewayFixture();
  GatewayFixture(const GatewayFixture&) = delete;
  GatewayFixture& operator=(const GatewayFixture&) = delete;

  // Starts portico-cp with `config_yaml`, the echo backend and the first proxy, then waits
  // (bounded: 30 s) until waitUntilServing(port()). The error names the step that failed and
  // carries the logs that explain it.
  absl::Status start(const std::string& config_yaml);

  // Starts one more proxy against the control plane and waits for its /ready (a configuration
  // applied). Returns it; the fixture owns it. Needs the control plane start() started.
  absl::StatusOr<ProxyProcess*> addProxy(ProxyOptions options);

  // Waits (bounded: 30 s) until a GET of the ready path on `port` is answered by the echo
  // backend: the listener is open and routed. For listeners of other groups than port()'s.
  absl::Status waitUntilServing(uint16_t port);

  uint16_t port() const { return port_; }  // the listener the config is written for
  ControlPlaneProcess& cp() { return *cp_; }
  EchoBackend& backend() { return *backend_; }
  ProxyProcess& proxy(size_t index = 0) { return *proxies_.at(index); }
  size_t proxyCount() const { return proxies_.size(); }

  // One request on a fresh connection to `port` (0: port()); status 0 when it failed.
  http::ClientResponse fetch(const http::ClientRequest& request, uint16_t port = 0) const;
  // fetch() on port(), parsed as what the echo backend saw; the raw response is kept for
  // header() and last().
  EchoReply send(const std::string& method, const std::string& target, http::HeaderList headers = {},
                 const std::string& body = "");
  // A header of the last send()'s response; "<absent>" when it has none.
  std::string header(const std::string& name) const;
  http::ClientResponse last() const;
  // A header of `response`; "<absent>" when it has none.
  static std::string header(const http::ClientResponse& response, const std::string& name);

  // The tails of every proxy's log and the control plane's, for a failed test.
  void printLogs(std::ostream& out);

 private:
  absl::Status startBackend();
  std::string logs(size_t proxy_bytes, size_t cp_bytes);

  const Options options_;
  const uint16_t port_;
  std::unique_ptr<ControlPlaneProcess> cp_;
  std::unique_ptr<EchoBackend> backend_;
  std::vector<std::unique_ptr<ProxyProcess>> proxies_;
  std::vector<std::string> node_ids_;  // of proxies_, for the logs
  mutable absl::Mutex mutex_;
  http::ClientResponse last_ ABSL_GUARDED_BY(mutex_);
};

// An API key as portico.yaml's consumers[].api_keys take it: "sha256:<hex digest>".
std::string apiKeyHash(const std::string& key);

}  // namespace portico::testing
