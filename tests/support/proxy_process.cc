#include "tests/support/proxy_process.h"

#include "common/strings.h"
#include "tests/support/test_env.h"

namespace portico::testing {

absl::StatusOr<std::unique_ptr<ProxyProcess>> ProxyProcess::start(const Options& options) {
  auto proxy = std::unique_ptr<ProxyProcess>(new ProxyProcess());
  proxy->dir_ = makeTempDir("portico-proxy");
  proxy->admin_port_ = pickFreePort();
  std::vector<std::string> args = {cat("--xds=", options.xds_address), cat("--node_id=", options.node_id),
                                   cat("--workers=", options.workers), "--admin_address=127.0.0.1",
                                   cat("--admin_port=", proxy->admin_port_), "--xds_backoff_max=1s"};
  if (!options.group.empty()) {
    args.push_back(cat("--group=", options.group));
  }
  args.insert(args.end(), options.extra_args.begin(), options.extra_args.end());
  auto process = Process::start(binaryPath("portico-proxy"), args, proxy->dir_ + "/portico-proxy.log");
  if (!process.ok()) {
    return process.status();
  }
  proxy->process_ = std::move(*process);
  if (options.wait_ready && !waitUntil([&] { return proxy->ready(); }, absl::Seconds(20))) {
    return absl::DeadlineExceededError(cat("portico-proxy did not become ready; log:\n", proxy->process_->logTail()));
  }
  return proxy;
}

bool ProxyProcess::ready() const {
  auto response = admin("/ready");
  return response.ok() && response->status == 200;
}

absl::StatusOr<http::ClientResponse> ProxyProcess::admin(const std::string& target) const {
  http::ClientRequest request;
  request.target = target;
  return http::fetch("127.0.0.1", admin_port_, request, absl::Seconds(5));
}

void ProxyProcess::stop() {
  if (process_) {
    process_->stop();
    process_.reset();
  }
}

absl::StatusOr<std::unique_ptr<EchoBackend>> EchoBackend::start(const Options& options) {
  auto backend = std::unique_ptr<EchoBackend>(new EchoBackend());
  backend->name_ = options.name;
  backend->port_ = pickFreePort();
  const std::string dir = makeTempDir("portico-echo");
  std::vector<std::string> args = {cat("--name=", options.name), "--address=127.0.0.1",
                                   cat("--port=", backend->port_)};
  if (!options.register_with.empty()) {
    args.push_back(cat("--register=", options.register_with));
    args.push_back(cat("--service=", options.service));
    args.push_back(cat("--ttl=", options.ttl_seconds));
  }
  args.insert(args.end(), options.extra_args.begin(), options.extra_args.end());
  auto process = Process::start(binaryPath("echo-backend"), args, dir + "/echo-backend.log");
  if (!process.ok()) {
    return process.status();
  }
  backend->process_ = std::move(*process);
  const uint16_t port = backend->port_;
  const bool up = waitUntil(
      [port] {
        http::ClientRequest request;
        request.target = "/";
        auto response = http::fetch("127.0.0.1", port, request, absl::Seconds(1));
        return response.ok() && response->status == 200;
      },
      absl::Seconds(10));
  if (!up) {
    return absl::DeadlineExceededError(cat("echo-backend did not start; log:\n", backend->process_->logTail()));
  }
  return backend;
}

void EchoBackend::stop() {
  if (process_) {
    process_->stop();
    process_.reset();
  }
}

}  // namespace portico::testing
