// echo-backend: a small HTTP/1.1 server that answers every request with a JSON echo of it, for
// the quickstart and the tests. With --register it keeps itself registered with portico-cp.
// See echo_server.h for the answer and the x-echo-* test knobs, registrar.h for registration.

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <cstdlib>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/ascii.h"
#include "common/http/bearer_auth.h"
#include "common/logging.h"
#include "common/net/address.h"
#include "common/strings.h"
#include "tools/echo-backend/echo_server.h"
#include "tools/echo-backend/registrar.h"

ABSL_FLAG(std::string, name, "echo", "Name reported in every answer (and the x-echo-name header)");
ABSL_FLAG(std::string, address, "127.0.0.1", "Address to listen on");
ABSL_FLAG(int, port, 0, "Port to listen on; 0 picks a free port");
ABSL_FLAG(std::string, port_file, "", "If set, the bound port number is written to this file");
ABSL_FLAG(std::string, register, "",
          "CP_HOST:ADMIN_PORT of portico-cp: register as --service and keep the lease alive");
ABSL_FLAG(std::string, service, "", "Service to register as (with --register)");
ABSL_FLAG(std::string, token_file, "",
          "File holding portico-cp's admin token, sent with every --register request "
          "(default: $PORTICO_TOKEN)");
ABSL_FLAG(std::string, instance_id, "", "Instance id to register (default NAME-PORT)");
ABSL_FLAG(int, ttl, 10, "Registration lease in seconds; heartbeats every ttl/3");
ABSL_FLAG(std::string, advertise_address, "",
          "Address proxies should connect to (default --address)");
ABSL_FLAG(int, weight, 0, "Load balancing weight to register (0: the control plane's default)");
ABSL_FLAG(std::string, zone, "", "Zone to register");
ABSL_FLAG(std::string, health_path, "/health",
          "Path answered with the health status set by PUT /__echo/health (see echo_control.h)");
ABSL_FLAG(std::string, log_level, "info", "debug | info | warning | error");

namespace portico::tools::echo {
namespace {

int fail(std::string_view message) {
  std::cerr << "echo-backend: " << message << '\n';
  return 1;
}

// Writes the port atomically (temp file + rename) so a reader never sees a partial number.
bool writePortFile(const std::string& path, uint16_t port) {
  std::string temp = cat(path, ".tmp");
  {
    std::ofstream out(temp, std::ios::trunc);
    out << port << '\n';
    if (!out.good()) {
      return false;
    }
  }
  return std::rename(temp.c_str(), path.c_str()) == 0;
}

int run() {
  LogLevel level;
  if (!parseLogLevel(absl::GetFlag(FLAGS_log_level), level)) {
    return fail("--log_level: want debug, info, warning or error");
  }
  setLogLevel(level);
  int port = absl::GetFlag(FLAGS_port);
  if (port < 0 || port > 65535) {
    return fail("--port: want 0..65535");
  }
  std::string register_at = absl::GetFlag(FLAGS_register);
  std::string service = absl::GetFlag(FLAGS_service);
  if (register_at.empty() != service.empty()) {
    return fail("--register and --service go together");
  }
  int ttl = absl::GetFlag(FLAGS_ttl);
  if (ttl < 1 || ttl > 86400) {
    return fail("--ttl: want 1..86400 seconds");
  }
  int weight = absl::GetFlag(FLAGS_weight);
  if (weight < 0 || weight > 128) {
    return fail("--weight: want 0..128");
  }
  std::string token;
  if (const std::string path = absl::GetFlag(FLAGS_token_file); !path.empty()) {
    auto read = http::readBearerTokenFile(path);
    if (!read.ok()) {
      return fail(cat("--token_file=", sv(read.status().message())));
    }
    token = *read;
  } else if (const char* env = std::getenv("PORTICO_TOKEN"); env != nullptr) {
    token = std::string(sv(absl::StripAsciiWhitespace(env)));
  }
  std::optional<net::HostPort> control_plane;
  if (!register_at.empty()) {
    auto parsed = net::parseHostPort(register_at);
    if (!parsed.ok()) {
      return fail(cat("--register=", register_at, ": ", sv(parsed.status().message())));
    }
    control_plane = *parsed;
  }

  boost::asio::io_context io(1);
  EchoServer::Options options;
  options.name = absl::GetFlag(FLAGS_name);
  options.address = absl::GetFlag(FLAGS_address);
  options.port = static_cast<uint16_t>(port);
  options.health_path = absl::GetFlag(FLAGS_health_path);
  auto server = EchoServer::create(io, options);
  if (!server.ok()) {
    return fail(sv(server.status().message()));
  }
  (*server)->start();
  uint16_t bound = (*server)->port();
  std::cout << "listening on " << options.address << ":" << bound << std::endl;
  std::string port_file = absl::GetFlag(FLAGS_port_file);
  if (!port_file.empty() && !writePortFile(port_file, bound)) {
    return fail(cat("cannot write --port_file=", port_file));
  }

  std::unique_ptr<Registrar> registrar;
  if (control_plane) {
    Registrar::Options reg;
    reg.control_plane = *control_plane;
    reg.service = service;
    reg.instance_id = absl::GetFlag(FLAGS_instance_id);
    if (reg.instance_id.empty()) {
      reg.instance_id = cat(options.name, "-", bound);
    }
    reg.address = absl::GetFlag(FLAGS_advertise_address);
    if (reg.address.empty()) {
      reg.address = options.address;
    }
    reg.port = bound;
    reg.ttl_seconds = static_cast<uint32_t>(ttl);
    reg.weight = static_cast<uint32_t>(weight);
    reg.zone = absl::GetFlag(FLAGS_zone);
    reg.name = options.name;
    reg.token = token;
    registrar = std::make_unique<Registrar>(std::move(reg));
    registrar->start();
  }

  // On SIGTERM/SIGINT: deregister first (on a helper thread, so requests keep being served
  // while proxies learn the instance is gone), then stop the server.
  std::thread stopper;
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) {
      return;
    }
    PORTICO_LOG(kInfo, "echo-backend: signal ", signal, ", shutting down");
    stopper = std::thread([&] {
      if (registrar) {
        registrar->stop();
      }
      boost::asio::post(io, [&] {
        (*server)->stop();
        io.stop();
      });
    });
  });
  io.run();
  if (stopper.joinable()) {
    stopper.join();
  }
  return 0;
}

}  // namespace
}  // namespace portico::tools::echo

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "HTTP/1.1 echo server for Portico's quickstart and tests.\n"
      "  echo-backend [--name=N] [--address=A] [--port=P] [--port_file=F]\n"
      "               [--register=CP_HOST:ADMIN_PORT --service=S [--instance_id=ID] [--ttl=SEC]\n"
      "                [--token_file=F]]\n"
      "Every request gets 200 with JSON {name, method, path, query, headers, body_bytes}.\n"
      "Request headers x-echo-status: NNN, x-echo-delay-ms: N, x-echo-close: 1 change the answer.");
  absl::ParseCommandLine(argc, argv);
  return portico::tools::echo::run();
}
