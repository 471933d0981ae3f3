#pragma once

// A worker's writes of one event-loop turn, sent together with one io_uring_enter().
//
// Why: a TCP write to a peer that sleeps in epoll_wait is a "sync" wakeup, and on a busy machine
// the scheduler runs the woken peer on the writer's CPU at once: written one system call at a
// time, the upstream requests of a turn each woke a backend worker that answered the one request
// it had and slept again, and each wakeup preempted the proxy (tools/bench/cpu-per-request
// --wakeups: 0.17-0.22 same-CPU backend wakeups and 0.22-0.28 preemptions per request at one
// worker). Sent in one io_uring_enter(), the first write wakes the backend worker and the others
// reach it before the proxy can be preempted (on the system call's return): 0.01 and 0.06-0.12,
// and 1.17x the requests/s (docs/benchmarks.md, 2026-11-29). Client responses written one at a
// time did the same to wrk's threads (0.02-0.10 same-CPU wakeups per request); in the batch,
// 0.003-0.005, and the proxy is preempted 0.007-0.013 times per request.
//
// How: add() queues a write and, for the first one of a turn, posts flush() to the worker's
// io_context, which runs it after the handlers already queued (the rest of the turn). flush()
// submits every queued write as a sendmsg with MSG_DONTWAIT, which io_uring completes inline
// (a write that would block completes at once with what the socket took, or -EAGAIN: never
// queued in the kernel), so the completions are all there when io_uring_enter() returns. Each
// write's handler is then called by flush() itself, with the bytes sent; a caller sends what is
// left with async_write, as after net/send_now.h. Nothing is allocated per write once the queues
// have grown to a turn's size: the queued writes are values in reused vectors, and the handlers'
// type-erased wrappers come from the worker's FramePool.
//
// Where io_uring is not available (kernel.io_uring_disabled, a seccomp profile that blocks it,
// as container runtimes' defaults do) or is switched off, available() is false and callers
// write with sendNow().
// Worker thread only.

#include <sys/socket.h>
#include <sys/uio.h>

#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/system/error_code.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "data-plane/net/executor.h"
#include "data-plane/net/frame_pool.h"

struct io_uring;

namespace portico::dp::net {

class BatchedSender {
 public:
  // Boost 1.81's any_completion_handler recurses without end when wrapped again (fixed in
  // 1.82): a plain type erasure of the completion handler.
  // Its wrappers are allocated from FramePool (a free-list pop, net/frame_pool.h): one per write.
  struct HandlerBase {
    virtual ~HandlerBase() = default;
    virtual void call(boost::system::error_code ec, size_t sent) = 0;
    static void* operator new(size_t size) { return FramePool::allocate(size); }
    static void operator delete(void* pointer, size_t size) { FramePool::deallocate(pointer, size); }
  };
  template <typename Handler>
  struct HandlerOf final : HandlerBase {
    explicit HandlerOf(Handler&& h) : handler(std::move(h)) {}
    void call(boost::system::error_code ec, size_t sent) override { std::move(handler)(ec, sent); }
    Handler handler;
  };

  // At most this many buffers per write (a head and a body).
  static constexpr size_t kMaxBuffers = 2;

  // `use_io_uring` false leaves available() false (portico-proxy --io_uring_writes=false).
  explicit BatchedSender(boost::asio::io_context& io, bool use_io_uring = true);
  ~BatchedSender();
  BatchedSender(const BatchedSender&) = delete;
  BatchedSender& operator=(const BatchedSender&) = delete;

  // Whether the io_uring could be set up; if not, add() must not be called.
  bool available() const { return ring_ != nullptr; }
  // Queues a write of `buffers` to `socket` (both must stay valid until the handler runs; empty
  // buffers are skipped; at most kMaxBuffers non-empty). The handler is called by the flush,
  // never from add(), with the error (a write that would block is not one) and the bytes the
  // socket took. The descriptor is read at the flush: a socket closed in between (its deadline)
  // fails with bad_descriptor, and its old descriptor number, which an accept may already have
  // reused, is never written to.
  void add(Socket& socket, std::span<const boost::asio::const_buffer> buffers, std::unique_ptr<HandlerBase> handler);
  // io_uring_enter() calls that sent writes so far (for tests).
  uint64_t flushes() const { return flushes_; }

 private:
  // A queued write, held by value: the vectors move it while they grow, so the pointers the
  // kernel reads (msg, and msg.msg_iov into iov) are set only at the flush, when they are fixed.
  struct Pending {
    std::array<iovec, kMaxBuffers> iov{};
    size_t iov_count = 0;
    msghdr msg{};
    Socket* socket = nullptr;
    std::unique_ptr<HandlerBase> handler;
    boost::system::error_code ec;  // the write's result, set by the flush
    size_t sent = 0;
  };
  void flush();
  // Submits the open sockets' writes of sending_ and records each one's result; returns how many
  // were submitted.
  unsigned submit();

  boost::asio::io_context& io_;
  std::unique_ptr<io_uring> ring_;
  std::vector<Pending> queued_;
  std::vector<Pending> sending_;  // the batch of the flush running now
  bool flush_posted_ = false;
  uint64_t flushes_ = 0;
};

// co_await asyncBatchedSend(sender, socket, buffers, token): (error_code, bytes sent) once the
// write has been sent with the others of this turn (sender.available() must be true).
template <typename Token>
auto asyncBatchedSend(BatchedSender& sender, Socket& socket, std::span<const boost::asio::const_buffer> buffers,
                      Token&& token) {
  return boost::asio::async_initiate<Token, void(boost::system::error_code, size_t)>(
      [&sender, &socket, buffers](auto handler) {
        using Handler = decltype(handler);
        sender.add(socket, buffers, std::make_unique<BatchedSender::HandlerOf<Handler>>(std::move(handler)));
      },
      token);
}

}  // namespace portico::dp::net
