#include "tests/support/gateway_fixture.h"

#include <openssl/sha.h>

#include <utility>

#include "absl/strings/escaping.h"
#include "common/strings.h"
#include "tests/support/test_env.h"

namespace portico::testing {

namespace {

// How long a started gateway may take to route its first request (xDS push, registration).
constexpr absl::Duration kServingTimeout = absl::Seconds(30);
constexpr size_t kProxyLogBytes = 6000;
constexpr size_t kCpLogBytes = 4000;

}  // namespace

GatewayFixture::GatewayFixture(Options options) : options_(std::move(options)), port_(pickFreePort()) {}

GatewayFixture::~GatewayFixture() {
  for (auto it = proxies_.rbegin(); it != proxies_.rend(); ++it) (*it)->stop();
  if (backend_) backend_->stop();
  if (cp_) cp_->stop();
}

absl::Status GatewayFixture::start(const std::string& config_yaml) {
  ControlPlaneProcess::Options cp_options;
  cp_options.config_yaml = config_yaml;
  cp_options.admin_token = options_.admin_token;
  auto cp = ControlPlaneProcess::start(cp_options);
  if (!cp.ok()) return absl::Status(cp.status().code(), cat("portico-cp: ", cp.status().message()));
  cp_ = std::move(*cp);
  if (absl::Status backend = startBackend(); !backend.ok()) return backend;
  auto proxy = addProxy(options_.proxy);
  if (!proxy.ok()) return proxy.status();
  return waitUntilServing(port_);
}

absl::Status GatewayFixture::startBackend() {
  EchoBackend::Options backend_options{options_.backend_name, cat("127.0.0.1:", cp_->adminPort()), "echo", 10};
  if (!options_.admin_token.empty()) {
    const std::string token_file = cat(makeTempDir("gateway-fixture"), "/token");
    writeFile(token_file, options_.admin_token);
    backend_options.extra_args.push_back(cat("--token_file=", token_file));
  }
  auto backend = EchoBackend::start(backend_options);
  if (!backend.ok()) {
    return absl::Status(backend.status().code(),
                        cat("echo-backend: ", backend.status().message(), "\n--- portico-cp log:\n",
                            cp_->process().logTail(kCpLogBytes)));
  }
  backend_ = std::move(*backend);
  return absl::OkStatus();
}

absl::StatusOr<ProxyProcess*> GatewayFixture::addProxy(ProxyOptions options) {
  if (cp_ == nullptr) return absl::FailedPreconditionError("addProxy() before start()");
  ProxyProcess::Options proxy_options;
  proxy_options.xds_address = cp_->xdsAddress();
  proxy_options.node_id = options.node_id.empty() ? cat("proxy-", proxies_.size() + 1) : options.node_id;
  proxy_options.group = std::move(options.group);
  proxy_options.workers = options.workers;
  proxy_options.extra_args = std::move(options.extra_args);
  auto proxy = ProxyProcess::start(proxy_options);
  if (!proxy.ok()) {
    return absl::Status(proxy.status().code(),
                        cat("portico-proxy ", proxy_options.node_id, ": ", proxy.status().message(),
                            "\n--- portico-cp log:\n", cp_->process().logTail(kCpLogBytes)));
  }
  proxies_.push_back(std::move(*proxy));
  node_ids_.push_back(proxy_options.node_id);
  return proxies_.back().get();
}

absl::Status GatewayFixture::waitUntilServing(uint16_t port) {
  http::ClientRequest request;
  request.target = options_.ready_path;
  const bool serving = waitUntil(
      [&] { return parseEchoReply(fetch(request, port)).backend == options_.backend_name; }, kServingTimeout,
      absl::Milliseconds(100));
  if (serving) return absl::OkStatus();
  return absl::DeadlineExceededError(cat("the echo service did not become reachable at ", options_.ready_path,
                                         " on port ", port, ";\n",
                                         logs(kProxyLogBytes, kCpLogBytes)));
}

http::ClientResponse GatewayFixture::fetch(const http::ClientRequest& request, uint16_t port) const {
  auto response = http::fetch("127.0.0.1", port == 0 ? port_ : port, request, options_.request_timeout);
  return response.ok() ? *std::move(response) : http::ClientResponse{};
}

EchoReply GatewayFixture::send(const std::string& method, const std::string& target, http::HeaderList headers,
                               const std::string& body) {
  http::ClientResponse response = fetch({method, target, body, std::move(headers)});
  EchoReply reply = parseEchoReply(response);
  absl::MutexLock lock(&mutex_);
  last_ = std::move(response);
  return reply;
}

std::string GatewayFixture::header(const std::string& name) const { return header(last(), name); }

http::ClientResponse GatewayFixture::last() const {
  absl::MutexLock lock(&mutex_);
  return last_;
}

std::string GatewayFixture::header(const http::ClientResponse& response, const std::string& name) {
  const std::string* value = response.header(name);
  return value == nullptr ? "<absent>" : *value;
}

void GatewayFixture::printLogs(std::ostream& out) { out << logs(kProxyLogBytes, kCpLogBytes); }

std::string GatewayFixture::logs(size_t proxy_bytes, size_t cp_bytes) {
  std::string out;
  for (size_t i = 0; i < proxies_.size(); ++i) {
    const std::string which = proxies_.size() == 1 ? "" : cat(" ", node_ids_[i]);
    out += cat("--- portico-proxy", which, " log:\n", proxies_[i]->process().logTail(proxy_bytes), "\n");
  }
  if (cp_) out += cat("--- portico-cp log:\n", cp_->process().logTail(cp_bytes), "\n");
  return out;
}

std::string apiKeyHash(const std::string& key) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(key.data()), key.size(), digest);
  return cat("sha256:", absl::BytesToHexString(absl::string_view(reinterpret_cast<char*>(digest), sizeof digest)));
}

}  // namespace portico::testing
