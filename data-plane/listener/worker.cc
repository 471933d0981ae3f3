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
using net::kNoThrow;
}

Worker::Worker(int index, ProxyStats& stats, router::RouteStats* unrouted, WorkerLimits limits)
    : index_(index),
      stats_(stats),
      unrouted_(unrouted),
      limits_(limits),
      balancers_(static_cast<uint32_t>(index), std::random_device{}() ^ (static_cast<uint64_t>(index) << 40)),
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
    // Balancers restart with each snapshot: cluster indexes and tables may have changed.
    balancers_.reset(snapshot ? snapshot->clusters().size() : 0);
    // Requests pin the snapshot by copying snapshot_. Copies of the published pointer would
    // all count on one control block shared by every worker: two contended atomic operations
    // per request across cores. So the worker holds the published pointer once and hands out
    // an aliasing pointer whose control block is its own. The old snapshot is freed when the
    // last request of the last worker holding it ends.
    if (snapshot) {
      auto holder = std::make_shared<config::SnapshotPtr>(std::move(snapshot));
      const config::Snapshot* raw = holder->get();
      snapshot_ = config::SnapshotPtr(std::move(holder), raw);
    } else {
      snapshot_.reset();
    }
  });
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
    // Cancelling runs no handler here (they are posted): the list stays as it is meanwhile.
    for (IdleWait* wait = idle_; wait != nullptr; wait = wait->next_) {
      wait->socket_.cancel(ec);  // the session's pending read ends; it closes the connection
    }
  });
}

void Worker::startAccepting(const std::string& name, std::shared_ptr<tcp::acceptor> acceptor) {
  asio::co_spawn(
      io_,
      [this, name, acceptor]() -> net::Awaitable<void> {
        net::Timer backoff(io_);
        while (acceptor->is_open()) {
          auto [ec, socket] = co_await acceptor->async_accept(io_, kNoThrow);  // a socket on net::Executor
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
