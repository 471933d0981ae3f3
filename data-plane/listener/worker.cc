#include "data-plane/listener/worker.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <unistd.h>

#include <random>

#include "common/logging.h"
#include "data-plane/listener/http_session.h"

namespace portico::dp::listener {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {
constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
}

Worker::Worker(int index, ProxyStats& stats, router::RouteStats* unrouted, WorkerLimits limits)
    : index_(index),
      stats_(stats),
      unrouted_(unrouted),
      limits_(limits),
      pool_(upstream::ConnPool::Options{}),
      request_ids_(std::random_device{}() ^ (static_cast<uint64_t>(index) << 32)) {}

Worker::~Worker() { stop(); }

void Worker::start() {
  thread_ = std::thread([this] {
    auto guard = asio::make_work_guard(io_);
    io_.run();
  });
}

void Worker::stop() {
  if (!thread_.joinable()) {
    return;
  }
  io_.stop();
  thread_.join();
  access_log_.flush();  // the worker thread is gone: its buffers are ours now
}

void Worker::publish(config::SnapshotPtr snapshot) {
  asio::post(io_, [this, snapshot = std::move(snapshot)]() mutable {
    // Cursors restart with each snapshot: cluster indexes may have changed. Starting each
    // worker at a different offset spreads the first picks.
    cursors_.assign(snapshot ? snapshot->clusters().size() : 0, static_cast<uint32_t>(index_));
    snapshot_ = std::move(snapshot);  // the old one is freed when its last request ends
  });
}

// Weighted round robin over the healthy endpoints; when none is healthy, over all of them
// (panic). The load-balancing policies of upstream::LbConfig replace this in upstream/lb/.
const upstream::Endpoint* Worker::pickEndpoint(const upstream::Cluster& cluster,
                                               const upstream::PickContext& context) {
  if (cluster.schedule.empty() || cluster.index < 0 || cluster.index >= static_cast<int>(cursors_.size())) {
    return nullptr;
  }
  uint32_t& cursor = cursors_[static_cast<size_t>(cluster.index)];
  const auto size = static_cast<uint32_t>(cluster.schedule.size());
  const int64_t now = upstream::EndpointState::nowNs();
  for (uint32_t tried = 0; tried < size; ++tried) {
    const upstream::Endpoint& endpoint = cluster.endpoints[cluster.schedule[cursor++ % size]];
    if (endpoint.state->healthy(now) && (&endpoint != context.avoid || cluster.endpoints.size() == 1)) {
      return &endpoint;
    }
  }
  return &cluster.endpoints[cluster.schedule[cursor++ % size]];
}

void Worker::addListener(const std::string& name, int fd) {
  asio::post(io_, [this, name, fd] {
    auto acceptor = std::make_shared<tcp::acceptor>(io_);
    boost::system::error_code ec;
    sockaddr_storage addr{};
    socklen_t len = sizeof(addr);
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    acceptor->assign(addr.ss_family == AF_INET6 ? tcp::v6() : tcp::v4(), fd, ec);
    if (ec) {
      PORTICO_LOG(kError, "worker ", index_, ": cannot adopt listener ", name, ": ", ec.message());
      ::close(fd);
      return;
    }
    if (auto old = acceptors_.find(name); old != acceptors_.end()) {
      old->second->close(ec);
    }
    acceptors_[name] = acceptor;
    startAccepting(name, acceptor);
  });
}

void Worker::removeListener(const std::string& name) {
  asio::post(io_, [this, name] {
    auto it = acceptors_.find(name);
    if (it == acceptors_.end()) {
      return;
    }
    boost::system::error_code ec;
    it->second->close(ec);  // open connections stay and finish their requests
    acceptors_.erase(it);
  });
}

void Worker::drain() {
  asio::post(io_, [this] {
    draining_ = true;
    boost::system::error_code ec;
    for (tcp::socket* socket : idle_) {
      socket->cancel(ec);  // the session's pending read ends; it closes the connection
    }
  });
}

void Worker::setIdle(tcp::socket* socket, bool idle) {
  if (idle) {
    idle_.insert(socket);
  } else {
    idle_.erase(socket);
  }
}

void Worker::startAccepting(const std::string& name, std::shared_ptr<tcp::acceptor> acceptor) {
  asio::co_spawn(
      io_,
      [this, name, acceptor]() -> asio::awaitable<void> {
        asio::steady_timer backoff(io_);
        while (acceptor->is_open()) {
          auto [ec, socket] = co_await acceptor->async_accept(kNoThrow);
          if (ec == asio::error::operation_aborted || !acceptor->is_open()) {
            co_return;
          }
          if (ec) {
            // Out of file descriptors and similar: back off briefly instead of spinning.
            PORTICO_LOG(kWarning, "worker ", index_, ": accept on ", name, " failed: ", ec.message());
            backoff.expires_after(std::chrono::milliseconds(50));
            co_await backoff.async_wait(kNoThrow);
            continue;
          }
          asio::co_spawn(io_, runHttpSession(*this, std::move(socket), name), asio::detached);
        }
      },
      asio::detached);
}

}  // namespace portico::dp::listener
