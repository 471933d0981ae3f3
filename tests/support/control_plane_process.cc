#include "tests/support/control_plane_process.h"

#include <csignal>

#include "common/strings.h"
#include "tests/support/test_env.h"

namespace portico::testing {

absl::StatusOr<std::unique_ptr<ControlPlaneProcess>> ControlPlaneProcess::start(const Options& options) {
  auto cp = std::unique_ptr<ControlPlaneProcess>(new ControlPlaneProcess());
  cp->options_ = options;
  cp->dir_ = makeTempDir("portico-cp");
  cp->xds_port_ = options.xds_port ? options.xds_port : pickFreePort();
  cp->admin_port_ = options.admin_port ? options.admin_port : pickFreePort();
  if (absl::Status s = cp->launch(); !s.ok()) {
    return s;
  }
  return cp;
}

absl::Status ControlPlaneProcess::launch() {
  std::vector<std::string> args = {cat("--xds_address=127.0.0.1"), cat("--xds_port=", xds_port_),
                                   cat("--admin_address=127.0.0.1"), cat("--admin_port=", admin_port_)};
  if (!options_.config_yaml.empty()) {
    const std::string path = dir_ + "/portico.yaml";
    writeFile(path, options_.config_yaml);
    args.push_back("--config=" + path);
  }
  if (!options_.admin_token.empty()) {
    const std::string path = dir_ + "/admin.token";
    writeFile(path, options_.admin_token + "\n");
    args.push_back("--admin_token_file=" + path);
  }
  args.insert(args.end(), options_.extra_args.begin(), options_.extra_args.end());
  auto process = Process::start(binaryPath("portico-cp"), args, dir_ + "/portico-cp.log", options_.env);
  if (!process.ok()) {
    return process.status();
  }
  process_ = std::move(*process);
  const bool ready = waitUntil(
      [this] {
        auto response = get("/readyz");
        return response.ok() && response->status == 200;
      },
      absl::Seconds(20));
  if (!ready) {
    return absl::DeadlineExceededError(cat("portico-cp did not become ready; log:\n", process_->logTail()));
  }
  return absl::OkStatus();
}

std::string ControlPlaneProcess::xdsAddress() const { return cat("127.0.0.1:", xds_port_); }

absl::StatusOr<http::ClientResponse> ControlPlaneProcess::get(const std::string& target) const {
  return request("GET", target);
}

absl::StatusOr<http::ClientResponse> ControlPlaneProcess::request(const std::string& method,
                                                                  const std::string& target,
                                                                  const std::string& body) const {
  http::ClientRequest request;
  request.method = method;
  request.target = target;
  request.body = body;
  if (!body.empty()) {
    request.headers.emplace_back("Content-Type", "application/json");
  }
  if (!options_.admin_token.empty()) {
    request.headers.emplace_back("Authorization", "Bearer " + options_.admin_token);
  }
  return send(request);
}

absl::StatusOr<http::ClientResponse> ControlPlaneProcess::send(const http::ClientRequest& request) const {
  return http::fetch("127.0.0.1", admin_port_, request, absl::Seconds(5));
}

bool ControlPlaneProcess::registerInstance(const std::string& service, const std::string& id,
                                           const std::string& address, uint16_t port, int ttl_seconds) const {
  std::string body = cat("{\"address\":\"", address, "\",\"port\":", port);
  if (ttl_seconds > 0) {
    body += cat(",\"ttl_seconds\":", ttl_seconds);
  }
  body += "}";
  auto response = request("PUT", cat("/v1/services/", service, "/instances/", id), body);
  return response.ok() && (response->status == 200 || response->status == 201);
}

bool ControlPlaneProcess::deregisterInstance(const std::string& service, const std::string& id) const {
  auto response = request("DELETE", cat("/v1/services/", service, "/instances/", id));
  return response.ok() && response->status == 200;
}

void ControlPlaneProcess::reloadConfig(const std::string& yaml) {
  options_.config_yaml = yaml;
  writeFile(dir_ + "/portico.yaml", yaml);
  process_->signal(SIGHUP);
}

absl::Status ControlPlaneProcess::restart() {
  stop();
  return launch();
}

void ControlPlaneProcess::stop() {
  if (process_) {
    process_->stop();
    process_.reset();
  }
}

}  // namespace portico::testing
