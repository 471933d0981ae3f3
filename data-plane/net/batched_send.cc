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

void BatchedSender::complete(std::unique_ptr<HandlerBase> handler, boost::system::error_code ec, size_t sent) {
  boost::asio::post(io_, [handler = std::move(handler), ec, sent] { handler->call(ec, sent); });
}

BatchedSender::BatchedSender(boost::asio::io_context& io) : io_(io) {
  auto ring = std::make_unique<io_uring>();
  if (io_uring_queue_init(kRingEntries, ring.get(), 0) == 0) ring_ = std::move(ring);
}

BatchedSender::~BatchedSender() {
  if (ring_) io_uring_queue_exit(ring_.get());
}

void BatchedSender::add(Socket& socket, std::span<const boost::asio::const_buffer> buffers,
                        std::unique_ptr<HandlerBase> handler) {
  auto pending = std::make_unique<Pending>();
  pending->socket = &socket;
  pending->msg.msg_iov = pending->iov.data();
  pending->msg.msg_iovlen = toIovecs(buffers, pending->iov);
  pending->handler = std::move(handler);
  queued_.push_back(std::move(pending));
  if (!flush_posted_) {
    flush_posted_ = true;
    boost::asio::post(io_, [this] { flush(); });
  }
}

void BatchedSender::flush() {
  flush_posted_ = false;
  sending_.swap(queued_);  // writes queued by the handlers run below go to the next flush
  unsigned submitted = 0;
  for (std::unique_ptr<Pending>& pending : sending_) {
    if (!pending->socket->is_open()) {  // closed since add(): its descriptor may be another's now
      complete(std::move(pending->handler), boost::asio::error::bad_descriptor, 0);
      continue;
    }
    io_uring_sqe* sqe = io_uring_get_sqe(ring_.get());
    if (sqe == nullptr) {  // the submission queue is full: hand these to the kernel first
      io_uring_submit(ring_.get());
      sqe = io_uring_get_sqe(ring_.get());
    }
    io_uring_prep_sendmsg(sqe, pending->socket->native_handle(), &pending->msg, MSG_DONTWAIT | MSG_NOSIGNAL);
    io_uring_sqe_set_data(sqe, pending.get());
    ++submitted;
  }
  if (submitted == 0) {
    sending_.clear();
    return;
  }
  ++flushes_;
  // MSG_DONTWAIT: every write completes inside this call, so the wait does not block.
  io_uring_submit_and_wait(ring_.get(), submitted);
  for (unsigned done = 0; done < submitted; ++done) {
    io_uring_cqe* cqe = nullptr;
    if (io_uring_wait_cqe(ring_.get(), &cqe) != 0) break;
    auto* pending = static_cast<Pending*>(io_uring_cqe_get_data(cqe));
    const int result = cqe->res;
    io_uring_cqe_seen(ring_.get(), cqe);
    if (result >= 0) {
      complete(std::move(pending->handler), {}, static_cast<size_t>(result));
    } else {
      complete(std::move(pending->handler), sendError(-result), 0);
    }
  }
  // A write whose completion could not be read (never seen): its caller is told it failed.
  for (std::unique_ptr<Pending>& pending : sending_) {
    if (pending->handler) complete(std::move(pending->handler), boost::asio::error::fault, 0);
  }
  sending_.clear();
}

}  // namespace portico::dp::net
