#pragma once

// Keeps one instance registered with the control plane's REST API, on its own thread:
// registers on start (PUT), heartbeats every ttl/3 (POST .../heartbeat), registers again when
// a heartbeat gets 404 (the control plane lost the lease, e.g. it restarted with the in-memory
// store), and retries quietly at the heartbeat interval while the control plane is unreachable
// (one log line per change of state). stop() deregisters (DELETE, best effort).

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/time/time.h"
#include "common/http/http_client.h"
#include "common/net/address.h"

namespace portico::tools::echo {

class Registrar {
 public:
  struct Options {
    net::HostPort control_plane;  // admin (REST) address
    std::string service;
    std::string instance_id;
    std::string address;  // what proxies connect to
    uint16_t port = 0;
    uint32_t ttl_seconds = 10;
    uint32_t weight = 0;  // 0: the control plane's default
    std::string zone;
    std::string name;  // recorded as metadata "name"
    std::string token;  // the control plane's admin token (Authorization: Bearer); empty: none
  };

  explicit Registrar(Options options);
  // Calls stop().
  ~Registrar();

  // Starts the registration thread. Call once.
  void start();
  // Wakes the thread, deregisters (best effort, bounded) and joins. Idempotent; any thread but
  // the registration thread.
  void stop();

  // The heartbeat period for `ttl_seconds`: a third of the TTL, at least 100 ms.
  static absl::Duration interval(uint32_t ttl_seconds);

 private:
  enum class Outcome { kOk, kNotFound, kFailed };

  void run();
  Outcome registerOnce();
  Outcome heartbeatOnce();
  void deregister();
  // Logs `problem` when it differs from the last one reported ("" = healthy again).
  void report(const std::string& problem);
  // A request to the registry API, with the token when one is set.
  http::ClientRequest request(std::string method, std::string target) const;

  const Options options_;
  const std::string path_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
  // Only touched by the registration thread.
  std::string last_problem_;
};

}  // namespace portico::tools::echo
