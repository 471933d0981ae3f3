#pragma once

// Keeps the workers' listening sockets in step with LDS. For each new listener it opens one
// socket per worker (SO_REUSEPORT: the kernel spreads connections across workers), binds and
// listens before anything is committed, so a listener that cannot bind rejects the update
// (NACK) and changes nothing. Removed listeners stop accepting; their open connections finish.
//
// Plaintext and TLS listeners are opened alike: whether a connection does a TLS handshake is
// decided when it is accepted, from the listener in the worker's snapshot
// (http_session.cc), so a listener that switches between the two keeps its sockets.
//
// Threading: the xDS thread only.

#include <map>
#include <set>
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
    std::set<std::string> tls;  // names of the listeners that terminate TLS (for the log)
  };

  // Opens sockets for listeners that are new or moved. On any failure closes what it opened and
  // returns the error; nothing changes.
  absl::StatusOr<Plan> prepare(const std::vector<config::ListenerConfig>& listeners);
  // Hands the sockets to the workers and stops removed listeners.
  void commit(Plan plan);
  // Stops every listener (shutdown).
  void closeAll();

 private:
  std::vector<Worker*> workers_;
  std::map<std::string, std::pair<std::string, uint16_t>> active_;  // name → (address, port)
};

}  // namespace portico::dp::listener
