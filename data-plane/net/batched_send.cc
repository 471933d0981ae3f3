#include "data-plane/net/batched_send.h"

#include <liburing.h>

#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include "data-plane/net/send_now.h"

namespace portico::dp::net {

namespace {

// Queue entries per worker ring. A turn with more writes submits in several steps, still in
// one flush (the completion queue is twice as large, and the kernel keeps any overflow).
constexpr unsigned kRingEntries = 256;

}  // namespace

BatchedSender::BatchedSender(boost::asio::io_context& io, bool use_io_uring) : io_(io) {
  if (!use_io_uring) return;
  auto ring = std::make_unique<io_uring>();
  if (io_uring_queue_init(kRingEntries, ring.get(), 0) == 0) ring_ = std::move(ring);
}

BatchedSender::~BatchedSender() {
  if (ring_) io_uring_queue_exit(ring_.get());
}

void BatchedSender::add(Socket& socket, std::span<const boost::asio::const_buffer> buffers,
                        std::unique_ptr<HandlerBase> handler) {
  Pending& pending = queued_.emplace_back();
  pending.socket = &socket;
  pending.iov_count = toIovecs(buffers, pending.iov);
  pending.handler = std::move(handler);
  if (!flush_posted_) {
    flush_posted_ = true;
    boost::asio::post(io_, [this] { flush(); });
  }
}

void BatchedSender::flush() {
  flush_posted_ = false;
  sending_.swap(queued_);  // writes queued by the handlers called below go to the next flush
  if (submit() > 0) ++flushes_;
  // Every result is in before any handler runs: a handler may close or free another write's
  // socket. Called here rather than posted: flush() is its own turn of the io_context, never
  // inside add(), so this is as safe as a post and saves one queue round trip per write.
  for (Pending& pending : sending_) {
    std::unique_ptr<HandlerBase> handler = std::move(pending.handler);
    handler->call(pending.ec, pending.sent);
  }
  sending_.clear();  // keeps its capacity for the next batch
}

unsigned BatchedSender::submit() {
  unsigned submitted = 0;
  for (size_t index = 0; index < sending_.size(); ++index) {
    Pending& pending = sending_[index];
    if (!pending.socket->is_open()) {  // closed since add(): its descriptor may be another's now
      pending.ec = boost::asio::error::bad_descriptor;
      continue;
    }
    io_uring_sqe* sqe = io_uring_get_sqe(ring_.get());
    if (sqe == nullptr) {  // the submission queue is full: hand these to the kernel first
      io_uring_submit(ring_.get());
      sqe = io_uring_get_sqe(ring_.get());
    }
    pending.msg.msg_iov = pending.iov.data();
    pending.msg.msg_iovlen = pending.iov_count;
    io_uring_prep_sendmsg(sqe, pending.socket->native_handle(), &pending.msg, MSG_DONTWAIT | MSG_NOSIGNAL);
    io_uring_sqe_set_data64(sqe, index);
    pending.ec = boost::asio::error::fault;  // unless its completion is read below
    ++submitted;
  }
  if (submitted == 0) return 0;
  // MSG_DONTWAIT: every write completes inside this call, so the wait does not block.
  io_uring_submit_and_wait(ring_.get(), submitted);
  for (unsigned done = 0; done < submitted; ++done) {
    io_uring_cqe* cqe = nullptr;
    if (io_uring_wait_cqe(ring_.get(), &cqe) != 0) break;
    Pending& pending = sending_[io_uring_cqe_get_data64(cqe)];
    const int result = cqe->res;
    io_uring_cqe_seen(ring_.get(), cqe);
    pending.ec = result >= 0 ? boost::system::error_code() : sendError(-result);
    pending.sent = result >= 0 ? static_cast<size_t>(result) : 0;
  }
  return submitted;
}

}  // namespace portico::dp::net
