#pragma once

// Keeps the workers' listening sockets in step with LDS. For each new listener it opens one
// socket per worker (SO_REUSEPORT: the kernel spreads connections across workers), binds and
// listens before anything is committed, so a listener that cannot bind rejects the update
// (NACK) and changes nothing. Removed listeners stop accepting; their open connections finish.
//
// TLS listeners (ListenerConfig::tls) are accepted but never opened: this version cannot
// terminate TLS and must not serve them in plaintext. Each one is logged once as a warning when
// it appears and counted in portico_proxy_listeners_skipped_total{reason="tls"}; a plaintext
// listener that becomes TLS is closed.
//
// Threading: the xDS thread only.

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "data-plane/config/snapshot.h"
#include "data-plane/listener/worker.h"

namespace portico::dp::listener {

class ListenerManager {
 public:
  explicit ListenerManager(std::vector<Worker*> workers) : workers_(std::move(workers)) {}
  ~ListenerManager();

  struct Plan {
    std::map<std::string, std::vector<int>> added;  // name → one bound fd per worker
    std::vector<std::string> removed;
    std::map<std::string, std::pair<std::string, uint16_t>> next;
    std::map<std::string, std::pair<std::string, uint16_t>> skipped;  // TLS: not opened
  };

  // Opens sockets for listeners that are new or moved. On any failure closes what it opened and
  // returns the error; nothing changes.
  absl::StatusOr<Plan> prepare(const std::vector<config::ListenerConfig>& listeners);
  // Hands the sockets to the workers and stops removed listeners.
  void commit(Plan plan);
  // Stops every listener (shutdown).
  void closeAll();

  // Names of the listeners the last commit left unopened (TLS), for tests and admin.
  std::vector<std::string> skipped() const;

 private:
  std::vector<Worker*> workers_;
  std::map<std::string, std::pair<std::string, uint16_t>> active_;  // name → (address, port)
  std::map<std::string, std::pair<std::string, uint16_t>> skipped_;  // TLS listeners not opened
};

}  // namespace portico::dp::listener
