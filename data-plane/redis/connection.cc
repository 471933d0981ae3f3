#include "data-plane/redis/connection.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <charconv>
#include <utility>
#include <vector>

#include "common/logging.h"
#include "common/metrics/sharded_metrics.h"
#include "common/strings.h"
#include "data-plane/redis/reply_reader.h"

namespace portico::dp::redis {

namespace asio = boost::asio;
using net::kNoThrow;
using Resolver = asio::ip::basic_resolver<asio::ip::tcp, net::Executor>;

absl::StatusOr<Address> parseAddress(std::string_view text) {
  Address out;
  out.text = std::string(text);
  std::string_view host;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    const size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return absl::InvalidArgumentError(cat("\"", text, "\" is not [address]:port"));
    }
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    const size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return absl::InvalidArgumentError(cat("\"", text, "\" is not host:port"));
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  int number = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), number);
  if (host.empty() || ec != std::errc() || end != port.data() + port.size() || number < 1 || number > 65535) {
    return absl::InvalidArgumentError(cat("\"", text, "\" is not host:port with a port from 1 to 65535"));
  }
  out.host = std::string(host);
  out.port = std::string(port);
  return out;
}

// A command's caller, waiting in its own coroutine frame: the timer doubles as the wake-up
// (deliver() and fail() set `result` and cancel it) and as the deadline.
struct Connection::Waiter {
  explicit Waiter(net::Executor executor) : timer(executor) {}
  net::Timer timer;
  std::optional<absl::StatusOr<Reply>> result;
};

Connection::Connection(net::Executor executor, Address address, CommandCounters counters)
    : executor_(executor), address_(std::move(address)), counters_(counters) {}

Connection::~Connection() = default;

void Connection::count(metrics::ShardedCounter* counter) const {
  if (counter != nullptr) counter->inc(counters_.shard);
}

net::Awaitable<absl::StatusOr<Reply>> Connection::execute(std::string command, Clock::duration timeout) {
  if (state_ == State::kBroken) {
    if (Clock::now() < retry_at_) {
      count(counters_.unavailable);
      co_return absl::UnavailableError(cat("redis ", address_.text, ": ", last_error_));
    }
    state_ = State::kIdle;
  }
  if (state_ == State::kIdle) startConnect(timeout);
  // Hold a reference: fail() may run while this caller waits, and the last snapshot using this
  // connection may go away meanwhile.
  std::shared_ptr<Connection> self = shared_from_this();
  Waiter waiter(executor_);
  waiter.timer.expires_after(timeout);
  write_buffer_.append(command);
  const uint64_t sequence = next_sequence_++;
  pending_.push_back(Pending{&waiter});
  if (state_ == State::kConnected) startFlush();
  co_await waiter.timer.async_wait(kNoThrow);
  if (waiter.result.has_value()) co_return std::move(*waiter.result);
  // Timed out: the reply, if it comes, is dropped.
  if (sequence >= head_sequence_) pending_[sequence - head_sequence_].waiter = nullptr;
  count(counters_.timeout);
  if (state_ == State::kConnected) {
    fail(cat("no reply within ", std::chrono::duration_cast<std::chrono::milliseconds>(timeout).count(), " ms"));
  }
  co_return absl::DeadlineExceededError(cat("redis ", address_.text, ": no reply within ",
                                            std::chrono::duration_cast<std::chrono::milliseconds>(timeout).count(),
                                            " ms"));
}

void Connection::shutdown() {
  ++generation_;
  state_ = State::kBroken;
  retry_at_ = Clock::time_point::max();
  last_error_ = "the proxy is exiting";
  if (socket_ != nullptr) {
    boost::system::error_code ignored;
    socket_->close(ignored);
    socket_.reset();
  }
}

void Connection::startConnect(Clock::duration timeout) {
  state_ = State::kConnecting;
  ++generation_;
  asio::co_spawn(executor_, connect(shared_from_this(), generation_, std::max(timeout, kMinConnectTimeout)),
                 asio::detached);
}

net::Awaitable<void> Connection::connect(std::shared_ptr<Connection> self, uint64_t generation,
                                         Clock::duration timeout) {
  auto socket = std::make_shared<net::Socket>(self->executor_);
  // The deadline covers resolution and connect: closing the socket ends the connect.
  net::Timer guard(self->executor_);
  guard.expires_after(timeout);
  bool expired = false;
  guard.async_wait([socket, &expired](boost::system::error_code ec) {
    if (!ec) {
      expired = true;
      boost::system::error_code ignored;
      socket->close(ignored);
    }
  });
  boost::system::error_code ec;
  std::vector<asio::ip::tcp::endpoint> endpoints;
  boost::system::error_code parse_ec;
  const auto ip = asio::ip::make_address(self->address_.host, parse_ec);
  if (!parse_ec) {
    endpoints.emplace_back(ip, static_cast<uint16_t>(std::stoi(self->address_.port)));
  } else {
    Resolver resolver(self->executor_);
    auto [resolve_ec, results] = co_await resolver.async_resolve(self->address_.host, self->address_.port, kNoThrow);
    ec = resolve_ec;
    for (const auto& entry : results) endpoints.push_back(entry.endpoint());
  }
  if (!ec) {
    auto [connect_ec, endpoint] = co_await asio::async_connect(*socket, endpoints, kNoThrow);
    (void)endpoint;
    ec = connect_ec;
  }
  guard.cancel();
  if (generation != self->generation_) co_return;
  if (expired) ec = asio::error::timed_out;
  if (ec) {
    self->fail(cat("connect: ", ec.message()));
    co_return;
  }
  boost::system::error_code ignored;
  socket->set_option(asio::ip::tcp::no_delay(true), ignored);
  self->socket_ = socket;
  self->reader_ = std::make_unique<ReplyReader>();
  self->state_ = State::kConnected;
  PORTICO_LOG(kDebug, "redis ", self->address_.text, ": connected");
  asio::co_spawn(self->executor_, readLoop(self, socket, generation), asio::detached);
  self->startFlush();
}

void Connection::startFlush() {
  if (writing_ || write_buffer_.empty()) return;
  writing_ = true;
  asio::co_spawn(executor_, flush(shared_from_this(), socket_, generation_), asio::detached);
}

net::Awaitable<void> Connection::flush(std::shared_ptr<Connection> self, std::shared_ptr<net::Socket> socket,
                                       uint64_t generation) {
  std::string out;
  // Every command appended while a write is in flight goes out in the next one.
  while (generation == self->generation_ && !self->write_buffer_.empty()) {
    out.clear();
    out.swap(self->write_buffer_);
    auto [ec, written] = co_await asio::async_write(*socket, asio::buffer(out), kNoThrow);
    (void)written;
    if (generation != self->generation_) co_return;
    if (ec) {
      self->fail(cat("write: ", ec.message()));
      co_return;
    }
  }
  if (generation == self->generation_) self->writing_ = false;
}

net::Awaitable<void> Connection::readLoop(std::shared_ptr<Connection> self, std::shared_ptr<net::Socket> socket,
                                          uint64_t generation) {
  std::vector<char> buffer(16 * 1024);
  for (;;) {
    auto [ec, read] = co_await socket->async_read_some(asio::buffer(buffer), kNoThrow);
    if (generation != self->generation_) co_return;
    if (ec) {
      self->fail(ec == asio::error::eof ? std::string("connection closed by the server") : cat("read: ", ec.message()));
      co_return;
    }
    if (absl::Status fed = self->reader_->feed(buffer.data(), read); !fed.ok()) {
      self->fail(std::string(fed.message()));
      co_return;
    }
    for (;;) {
      auto next = self->reader_->next();
      if (!next.ok()) {
        self->fail(std::string(next.status().message()));
        co_return;
      }
      if (!next->has_value()) break;
      self->deliver(std::move(**next));
      if (generation != self->generation_) co_return;  // deliver() found a stray reply
    }
  }
}

void Connection::deliver(Reply reply) {
  if (pending_.empty()) {
    fail("a reply without a command");
    return;
  }
  Waiter* waiter = pending_.front().waiter;
  pending_.pop_front();
  ++head_sequence_;
  retry_delay_ = kInitialRetryDelay;
  if (waiter != nullptr) {
    count(counters_.ok);
    waiter->result = std::move(reply);
    waiter->timer.cancel();
  }
}

void Connection::fail(std::string reason) {
  const bool was_up = state_ == State::kConnected;
  ++generation_;
  state_ = State::kBroken;
  retry_at_ = Clock::now() + retry_delay_;
  const auto delay_ms = std::chrono::duration_cast<std::chrono::milliseconds>(retry_delay_).count();
  // A lost connection is worth a warning; the failed reconnects after it (at most one a
  // second) only at debug level.
  if (was_up) {
    PORTICO_LOG(kWarning, "redis ", address_.text, ": ", reason, "; reconnecting in ", delay_ms, " ms");
  } else {
    PORTICO_LOG(kDebug, "redis ", address_.text, ": ", reason, "; retrying in ", delay_ms, " ms");
  }
  retry_delay_ = std::min(retry_delay_ * 2, kMaxRetryDelay);
  last_error_ = std::move(reason);
  if (socket_ != nullptr) {
    boost::system::error_code ignored;
    socket_->close(ignored);
    socket_.reset();
  }
  reader_.reset();
  writing_ = false;
  write_buffer_.clear();
  std::deque<Pending> failed;
  failed.swap(pending_);
  head_sequence_ += failed.size();
  for (const Pending& pending : failed) {
    if (pending.waiter == nullptr) continue;
    count(counters_.unavailable);
    pending.waiter->result = absl::UnavailableError(cat("redis ", address_.text, ": ", last_error_));
    pending.waiter->timer.cancel();
  }
}

}  // namespace portico::dp::redis
