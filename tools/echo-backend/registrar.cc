#include "tools/echo-backend/registrar.h"

#include <algorithm>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>

#include "common/http/http_client.h"
#include "common/logging.h"
#include "common/strings.h"

namespace portico::tools::echo {

namespace json = boost::json;

namespace {

constexpr absl::Duration kRequestTimeout = absl::Seconds(2);
constexpr absl::Duration kMinInterval = absl::Milliseconds(100);

}  // namespace

Registrar::Registrar(Options options)
    : options_(std::move(options)),
      path_(cat("/v1/services/", options_.service, "/instances/", options_.instance_id)) {}

Registrar::~Registrar() { stop(); }

absl::Duration Registrar::interval(uint32_t ttl_seconds) {
  return std::max(kMinInterval, absl::Milliseconds(int64_t{ttl_seconds} * 1000 / 3));
}

http::ClientRequest Registrar::request(std::string method, std::string target) const {
  http::ClientRequest out;
  out.method = std::move(method);
  out.target = std::move(target);
  if (!options_.token.empty()) {
    out.headers.emplace_back("authorization", cat("Bearer ", options_.token));
  }
  return out;
}

void Registrar::start() {
  thread_ = std::thread([this] { run(); });
}

void Registrar::stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
  }
}

void Registrar::report(const std::string& problem) {
  if (problem == last_problem_) {
    return;
  }
  if (problem.empty()) {
    PORTICO_LOG(kInfo, "echo-backend: control plane reachable again");
  } else {
    PORTICO_LOG(kWarning, "echo-backend: ", problem, " (retrying every ",
                absl::FormatDuration(interval(options_.ttl_seconds)), ")");
  }
  last_problem_ = problem;
}

Registrar::Outcome Registrar::registerOnce() {
  json::object body;
  body["address"] = options_.address;
  body["port"] = options_.port;
  body["ttl_seconds"] = options_.ttl_seconds;
  if (options_.weight > 0) {
    body["weight"] = options_.weight;
  }
  if (!options_.zone.empty()) {
    body["zone"] = options_.zone;
  }
  json::object metadata;
  metadata["name"] = options_.name;
  body["metadata"] = std::move(metadata);
  http::ClientRequest put = request("PUT", path_);
  put.body = json::serialize(body);
  put.headers.emplace_back("content-type", "application/json");
  const auto& cp = options_.control_plane;
  auto response = http::fetch(cp.host, cp.port, put, kRequestTimeout);
  if (!response.ok()) {
    report(cat("cannot register with the control plane at ", cp.host, ":", cp.port, ": ",
               sv(response.status().message())));
    return Outcome::kFailed;
  }
  if (response->status != 200 && response->status != 201) {
    report(cat("registration refused (HTTP ", response->status, "): ", response->body));
    return Outcome::kFailed;
  }
  report("");
  PORTICO_LOG(kInfo, "echo-backend: registered ", options_.service, "/", options_.instance_id,
              " as ", options_.address, ":", options_.port, " (ttl ", options_.ttl_seconds, "s)");
  return Outcome::kOk;
}

Registrar::Outcome Registrar::heartbeatOnce() {
  const auto& cp = options_.control_plane;
  auto response = http::fetch(cp.host, cp.port, request("POST", cat(path_, "/heartbeat")), kRequestTimeout);
  if (!response.ok()) {
    report(cat("cannot reach the control plane at ", cp.host, ":", cp.port, ": ",
               sv(response.status().message())));
    return Outcome::kFailed;
  }
  if (response->status == 404) {
    return Outcome::kNotFound;
  }
  if (response->status != 200) {
    report(cat("heartbeat refused (HTTP ", response->status, "): ", response->body));
    return Outcome::kFailed;
  }
  report("");
  return Outcome::kOk;
}

void Registrar::deregister() {
  const auto& cp = options_.control_plane;
  auto response = http::fetch(cp.host, cp.port, request("DELETE", path_), kRequestTimeout);
  if (response.ok() && response->status == 200) {
    PORTICO_LOG(kInfo, "echo-backend: deregistered ", options_.service, "/", options_.instance_id);
  } else {
    PORTICO_LOG(kInfo, "echo-backend: could not deregister (",
                response.ok() ? cat("HTTP ", response->status)
                              : std::string(sv(response.status().message())),
                "); the lease expires on its own");
  }
}

void Registrar::run() {
  bool registered = false;
  bool ever_registered = false;
  const auto period = absl::ToChronoMilliseconds(interval(options_.ttl_seconds));
  while (true) {
    if (!registered) {
      registered = registerOnce() == Outcome::kOk;
    } else {
      Outcome outcome = heartbeatOnce();
      if (outcome == Outcome::kNotFound) {
        PORTICO_LOG(kInfo,
                    "echo-backend: the control plane lost our registration; registering again");
        registered = registerOnce() == Outcome::kOk;
      }
    }
    ever_registered = ever_registered || registered;
    std::unique_lock<std::mutex> lock(mu_);
    if (wake_.wait_for(lock, period,
                       [this]() ABSL_NO_THREAD_SAFETY_ANALYSIS { return stopping_; })) {
      break;
    }
  }
  if (ever_registered) {
    deregister();
  }
}

}  // namespace portico::tools::echo
