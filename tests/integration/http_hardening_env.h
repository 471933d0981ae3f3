#pragma once

// The processes behind the HTTP hardening integration tests: a real portico-cp with a
// portico.yaml of four listeners whose `http:` blocks differ, two self-registering echo
// backends ("public" and "admin", one per route), and a real portico-proxy. Started once per
// test suite; the tests only send requests.
//
//   public   :P1  small limits (20 headers, 8KB head, 1KB request line, 1KB body), header
//                 timeout 2s, idle timeout 10s, Via "1.1 portico"; path normalization on
//   raw      :P2  normalize_path: false, merge_slashes: false
//   trusted  :P3  xff_trusted_hops: 2, escaped_slashes: reject
//   unescape :P4  escaped_slashes: unescape
// Routes (every listener): /admin → service admin, /public → service public.

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "common/http/http_client.h"
#include "common/strings.h"
#include "tests/support/control_plane_process.h"
#include "tests/support/proxy_process.h"
#include "tests/support/test_env.h"

namespace portico::testing::hardening {

// What an echo backend answered, or what the proxy answered itself.
struct Echo {
  int status = 0;
  std::string backend;  // "public" / "admin"; "" when the proxy answered
  std::string path;
  std::string query;
  std::map<std::string, std::string> headers;
  std::string body;
  std::string error;  // the proxy's JSON "error" code
  http::HeaderList response_headers;
};

struct Ports {
  uint16_t public_ = 0;
  uint16_t raw = 0;
  uint16_t trusted = 0;
  uint16_t unescape = 0;
};

inline std::string configYaml(const Ports& p, const std::string& access_log) {
  return cat("version: 1\naccess_log: { path: ", access_log, " }\nlisteners:\n",
             "  - name: public\n    address: 127.0.0.1\n    port: ", p.public_, "\n",
             "    http:\n      max_header_count: 20\n      max_header_size: 8KB\n",
             "      max_request_line: 1KB\n      max_body: 1KB\n      header_timeout: 2s\n",
             "      idle_timeout: 10s\n      via: \"1.1 portico\"\n",
             "  - name: raw\n    address: 127.0.0.1\n    port: ", p.raw, "\n",
             "    http: { normalize_path: false, merge_slashes: false }\n",
             "  - name: trusted\n    address: 127.0.0.1\n    port: ", p.trusted, "\n",
             "    http: { xff_trusted_hops: 2, escaped_slashes: reject }\n",
             "  - name: unescape\n    address: 127.0.0.1\n    port: ", p.unescape, "\n",
             "    http: { escaped_slashes: unescape }\n",
             "routes:\n",
             "  - { name: admin, match: { path_prefix: /admin }, service: admin }\n",
             "  - { name: public, match: { path_prefix: /public }, service: public }\n");
}

inline Echo parseEcho(const http::ClientResponse& response) {
  Echo out;
  out.status = response.status;
  out.body = response.body;
  out.response_headers = response.headers;
  boost::system::error_code ec;
  const boost::json::value parsed = boost::json::parse(response.body, ec);
  if (ec || !parsed.is_object()) return out;
  const boost::json::object& object = parsed.as_object();
  if (response.header("x-echo-name") == nullptr) {
    if (const auto* error = object.if_contains("error"); error && error->is_string()) {
      out.error = std::string(error->as_string());
    }
    return out;
  }
  out.backend = std::string(object.at("name").as_string());
  out.path = std::string(object.at("path").as_string());
  out.query = std::string(object.at("query").as_string());
  for (const auto& [key, value] : object.at("headers").as_object()) {
    out.headers[std::string(key)] = std::string(value.as_string());
  }
  return out;
}

// One request on a fresh connection to `port` (bounded: 5 s).
inline Echo send(uint16_t port, const std::string& method, const std::string& target,
                 http::HeaderList headers = {}, const std::string& body = "") {
  http::ClientRequest request;
  request.method = method;
  request.target = target;
  request.headers = std::move(headers);
  request.body = body;
  auto response = http::fetch("127.0.0.1", port, request, absl::Seconds(5));
  if (!response.ok()) return Echo{};
  return parseEcho(*response);
}

class Environment {
 public:
  // "" on success, else what went wrong.
  std::string start() {
    ports_ = Ports{pickFreePort(), pickFreePort(), pickFreePort(), pickFreePort()};
    access_log_ = cat(makeTempDir("http-hardening"), "/access.log");
    ControlPlaneProcess::Options cp_options;
    cp_options.config_yaml = configYaml(ports_, access_log_);
    auto cp = ControlPlaneProcess::start(cp_options);
    if (!cp.ok()) return cat("portico-cp: ", cp.status().ToString());
    cp_ = std::move(*cp);
    for (const char* service : {"public", "admin"}) {
      auto backend = EchoBackend::start({service, cat("127.0.0.1:", cp_->adminPort()), service, 10});
      if (!backend.ok()) return cat("echo-backend ", service, ": ", backend.status().ToString());
      backends_[service] = std::move(*backend);
    }
    ProxyProcess::Options proxy_options;
    proxy_options.xds_address = cp_->xdsAddress();
    auto proxy = ProxyProcess::start(proxy_options);
    if (!proxy.ok()) return cat("portico-proxy: ", proxy.status().ToString());
    proxy_ = std::move(*proxy);
    const bool converged = waitUntil(
        [this] {
          for (uint16_t port : {ports_.public_, ports_.raw, ports_.trusted, ports_.unescape}) {
            if (send(port, "GET", "/public/ready").backend != "public" ||
                send(port, "GET", "/admin/ready").backend != "admin") {
              return false;
            }
          }
          return true;
        },
        absl::Seconds(30), absl::Milliseconds(100));
    if (!converged) return cat("routes did not converge; proxy log:\n", proxy_->process().logTail());
    return "";
  }

  void stop() {
    if (proxy_) proxy_->stop();
    for (auto& [name, backend] : backends_) backend->stop();
    if (cp_) cp_->stop();
    proxy_.reset();
    backends_.clear();
    cp_.reset();
  }

  void printLogs() const {
    if (proxy_) std::cerr << "--- portico-proxy log:\n" << proxy_->process().logTail(6000) << "\n";
    if (cp_) std::cerr << "--- portico-cp log:\n" << cp_->process().logTail(3000) << "\n";
  }

  const Ports& ports() const { return ports_; }

  // Every request the named echo backend has received ("METHOD target"; "!error" for requests
  // it could not parse), asked of the backend directly.
  std::vector<std::string> received(const std::string& backend) const {
    std::vector<std::string> out;
    http::ClientRequest request;
    request.target = "/__echo/requests";
    auto response = http::fetch("127.0.0.1", backends_.at(backend)->port(), request, absl::Seconds(5));
    if (!response.ok() || response->status != 200) {
      out.push_back("(cannot ask the backend)");
      return out;
    }
    const boost::json::value parsed = boost::json::parse(response->body);
    for (const auto& entry : parsed.at("log").as_array()) out.emplace_back(entry.as_string());
    return out;
  }

  // The access log lines (JSON objects) whose path contains `marker`, waiting up to 3 s for at
  // least one (the proxy flushes every 100 ms).
  std::vector<boost::json::object> accessLogLines(const std::string& marker) const {
    std::vector<boost::json::object> lines;
    waitUntil(
        [&] {
          lines.clear();
          std::ifstream in(access_log_);
          std::string line;
          while (std::getline(in, line)) {
            if (line.find(marker) == std::string::npos) continue;
            boost::system::error_code ec;
            auto parsed = boost::json::parse(line, ec);
            if (!ec && parsed.is_object()) lines.push_back(parsed.as_object());
          }
          return !lines.empty();
        },
        absl::Seconds(3));
    return lines;
  }

 private:
  Ports ports_;
  std::string access_log_;
  std::unique_ptr<ControlPlaneProcess> cp_;
  std::map<std::string, std::unique_ptr<EchoBackend>> backends_;
  std::unique_ptr<ProxyProcess> proxy_;
};

}  // namespace portico::testing::hardening
