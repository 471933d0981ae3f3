#include "data-plane/upstream/conn_pool.h"

namespace portico::dp::upstream {

UpstreamConnectionPtr ConnPool::take(const PoolKey& key, Clock::time_point now) {
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

void ConnPool::put(const PoolKey& key, UpstreamConnectionPtr connection, Clock::time_point now) {
  auto& list = idle_[key];
  const auto expired = [&](const UpstreamConnectionPtr& idle) {
    return now - idle->idle_since >= options_.idle_timeout || !idle->socket.is_open();
  };
  // The least recently put are at the front (take() pops from the back), so expired ones are
  // dropped from there: a look at the front, not at every idle connection, per request. (An
  // idle time starts with its exchange, so the order is idle_since's to within an exchange's
  // duration; one that expired out of order goes when it reaches the front, or is dropped by
  // take().) Expired connections do not count against the limit: a full list is swept whole.
  size_t stale = 0;
  while (stale < list.size() && expired(list[stale])) ++stale;
  list.erase(list.begin(), list.begin() + static_cast<std::ptrdiff_t>(stale));
  if (list.size() >= options_.max_idle_per_endpoint) {
    std::erase_if(list, expired);
    if (list.size() >= options_.max_idle_per_endpoint) return;  // dropping the pointer closes the socket
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
