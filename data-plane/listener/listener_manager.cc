#include "data-plane/listener/listener_manager.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/logging.h"
#include "common/strings.h"

namespace portico::dp::listener {

namespace {

absl::StatusOr<int> openListeningSocket(const std::string& address, uint16_t port) {
  sockaddr_storage storage{};
  socklen_t length = 0;
  int family = AF_INET;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&storage);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&storage);
  if (inet_pton(AF_INET, address.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    length = sizeof(sockaddr_in);
  } else if (inet_pton(AF_INET6, address.c_str(), &v6->sin6_addr) == 1) {
    family = AF_INET6;
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    length = sizeof(sockaddr_in6);
  } else {
    return absl::InvalidArgumentError(cat("\"", address, "\" is not an IP address"));
  }
  int fd = ::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return absl::InternalError(cat("socket(): ", strerror(errno)));
  }
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
  if (::bind(fd, reinterpret_cast<sockaddr*>(&storage), length) != 0 || ::listen(fd, SOMAXCONN) != 0) {
    const std::string error = strerror(errno);
    ::close(fd);
    return absl::UnavailableError(cat("cannot listen on ", address, ":", port, ": ", error));
  }
  return fd;
}

}  // namespace

ListenerManager::~ListenerManager() = default;

absl::StatusOr<ListenerManager::Plan> ListenerManager::prepare(const std::vector<config::ListenerConfig>& listeners) {
  Plan plan;
  auto close_all = [&plan] {
    for (auto& [name, fds] : plan.added) {
      for (int fd : fds) ::close(fd);
    }
  };
  for (const config::ListenerConfig& listener : listeners) {
    auto where = std::make_pair(listener.address, listener.port);
    if (listener.tls != nullptr) plan.tls.insert(listener.name);
    plan.next[listener.name] = where;
    auto it = active_.find(listener.name);
    if (it != active_.end() && it->second == where) {
      continue;  // unchanged: keep its sockets
    }
    // A listener that moves to an address another active listener still holds would collide
    // with the old sockets: refuse rather than half-apply.
    std::vector<int>& fds = plan.added[listener.name];
    for (size_t i = 0; i < workers_.size(); ++i) {
      auto fd = openListeningSocket(listener.address, listener.port);
      if (!fd.ok()) {
        close_all();
        return absl::Status(fd.status().code(), cat("listener \"", listener.name, "\": ", fd.status().message()));
      }
      fds.push_back(*fd);
    }
  }
  for (const auto& [name, where] : active_) {
    auto next = plan.next.find(name);
    if (next == plan.next.end() || next->second != where) {
      plan.removed.push_back(name);
    }
  }
  return plan;
}

void ListenerManager::commit(Plan plan) {
  for (const std::string& name : plan.removed) {
    if (plan.added.count(name) == 0) {
      for (Worker* worker : workers_) worker->removeListener(name);
      PORTICO_LOG(kInfo, "listener \"", name, "\" removed");
    }
  }
  for (auto& [name, fds] : plan.added) {
    // addListener replaces a same-named acceptor on the worker (a moved listener).
    for (size_t i = 0; i < workers_.size(); ++i) workers_[i]->addListener(name, fds[i]);
    const auto& where = plan.next[name];
    PORTICO_LOG(kInfo, "listener \"", name, "\" accepting on ", where.first, ":", where.second, " (",
                plan.tls.count(name) > 0 ? "TLS, " : "", workers_.size(), " workers)");
  }
  active_ = std::move(plan.next);
}

void ListenerManager::closeAll() {
  for (const auto& [name, where] : active_) {
    for (Worker* worker : workers_) worker->removeListener(name);
  }
  active_.clear();
}

}  // namespace portico::dp::listener
