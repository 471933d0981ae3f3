#include "tests/support/echo_gateway.h"

#include "common/http/http_client.h"
#include "common/strings.h"

namespace portico::testing {

namespace {

std::string config(uint16_t port, bool extra_route) {
  std::string yaml = cat("version: 1\nlisteners:\n  - { name: public, address: 127.0.0.1, port: ", port,
                         " }\nroutes:\n  - { name: echo, match: { path_prefix: /echo }, service: echo }\n");
  if (extra_route) yaml += "  - { name: extra, match: { path_prefix: /extra }, service: echo }\n";
  return yaml;
}

}  // namespace

absl::StatusOr<std::unique_ptr<EchoGateway>> EchoGateway::start(const Options& options) {
  auto gateway = std::make_unique<EchoGateway>();
  gateway->port_ = pickFreePort();
  ControlPlaneProcess::Options cp_options;
  cp_options.config_yaml = config(gateway->port_, false);
  auto cp = ControlPlaneProcess::start(cp_options);
  if (!cp.ok()) return cp.status();
  gateway->cp_ = std::move(*cp);
  auto backend =
      EchoBackend::start({options.backend_name, cat("127.0.0.1:", gateway->cp_->adminPort()), "echo", 10});
  if (!backend.ok()) return backend.status();
  gateway->backend_ = std::move(*backend);
  ProxyProcess::Options proxy_options;
  proxy_options.xds_address = gateway->cp_->xdsAddress();
  proxy_options.workers = options.workers;
  auto proxy = ProxyProcess::start(proxy_options);
  if (!proxy.ok()) return proxy.status();
  gateway->proxy_ = std::move(*proxy);
  EchoGateway* raw = gateway.get();
  if (!waitUntil([raw] { return raw->status("/echo/up") == 200; }, absl::Seconds(20))) {
    return absl::DeadlineExceededError(
        cat("the proxy did not route /echo within 20 s; its log:\n", raw->proxy_->process().logTail(6000)));
  }
  return gateway;
}

int EchoGateway::status(const std::string& target) const {
  http::ClientRequest request;
  request.target = target;
  auto response = http::fetch("127.0.0.1", port_, request, absl::Seconds(5));
  return response.ok() ? response->status : 0;
}

bool EchoGateway::addExtraRoute() {
  cp_->reloadConfig(config(port_, true));
  return waitUntil([this] { return status("/extra/x") == 200; }, absl::Seconds(20));
}

void EchoGateway::stop() {
  if (proxy_) proxy_->stop();
  if (backend_) backend_->stop();
  if (cp_) cp_->stop();
}

}  // namespace portico::testing
