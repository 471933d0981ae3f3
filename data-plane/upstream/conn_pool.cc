#include "data-plane/upstream/conn_pool.h"

namespace portico::dp::upstream {

UpstreamConnectionPtr ConnPool::take(const std::string& key, Clock::time_point now) {
  auto it = idle_.find(key);
  if (it == idle_.end()) {
    return nullptr;
  }
  auto& list = it->second;
  // Most recently used last: it is the least likely to have been closed by the upstream.
  while (!list.empty()) {
    UpstreamConnectionPtr connection = std::move(list.back());
    list.pop_back();
    if (now - connection->idle_since < options_.idle_timeout && connection->socket.is_open()) {
      return connection;
    }
  }
  return nullptr;
}

void ConnPool::put(const std::string& key, UpstreamConnectionPtr connection, Clock::time_point now) {
  auto& list = idle_[key];
  // Expired connections do not count against the limit: drop them first.
  std::erase_if(list, [&](const UpstreamConnectionPtr& idle) {
    return now - idle->idle_since >= options_.idle_timeout || !idle->socket.is_open();
  });
  if (list.size() >= options_.max_idle_per_endpoint) {
    return;  // dropping the pointer closes the socket
  }
  connection->idle_since = now;
  list.push_back(std::move(connection));
}

size_t ConnPool::idleCount() const {
  size_t count = 0;
  for (const auto& [key, list] : idle_) {
    count += list.size();
  }
  return count;
}

}  // namespace portico::dp::upstream
