#include "data-plane/net/read_readiness.h"

#include <sys/epoll.h>

#include <boost/version.hpp>

namespace portico::dp::net {

#if defined(BOOST_ASIO_HAS_EPOLL) && !defined(BOOST_ASIO_HAS_IO_URING_AS_DEFAULT) && BOOST_VERSION == 108100
#define PORTICO_READ_READINESS 1

namespace {

namespace detail = boost::asio::detail;
using Reactor = detail::epoll_reactor;
using DescriptorState = Reactor::descriptor_state;
using SocketBase = boost::asio::basic_socket<boost::asio::ip::tcp, Executor>;
using SocketObjectImpl = detail::io_object_impl<detail::reactive_socket_service<boost::asio::ip::tcp>, Executor>;

// [temp.spec.general]: access checking does not apply to the names in an explicit
// instantiation, so a pointer to a private member can be named there and handed out through a
// friend function of a tag type.
template <typename Tag, typename Tag::Type kMember>
struct Expose {
  friend typename Tag::Type memberOf(Tag) { return kMember; }
};

#define PORTICO_EXPOSE(TAG, TYPE, MEMBER) \
  struct TAG {                            \
    using Type = TYPE;                    \
    friend Type memberOf(TAG);            \
  };                                      \
  template struct Expose<TAG, MEMBER>

PORTICO_EXPOSE(SocketObject, SocketObjectImpl SocketBase::*, &SocketBase::impl_);
PORTICO_EXPOSE(TrySpeculative, bool (DescriptorState::*)[Reactor::max_ops], &DescriptorState::try_speculative_);
PORTICO_EXPOSE(RegisteredEvents, uint32_t DescriptorState::*, &DescriptorState::registered_events_);
PORTICO_EXPOSE(OwningReactor, Reactor* DescriptorState::*, &DescriptorState::reactor_);
PORTICO_EXPOSE(EpollFd, int Reactor::*, &Reactor::epoll_fd_);
// The events epoll last reported for the descriptor (the reactor stores them in the descriptor
// operation's result before running it, and nothing clears them).
PORTICO_EXPOSE(ReportedEvents, unsigned int detail::scheduler_operation::*, &detail::scheduler_operation::task_result_);
#undef PORTICO_EXPOSE

DescriptorState* descriptorOf(Socket& socket) {
  SocketBase& base = socket;
  return (base.*memberOf(SocketObject{})).get_implementation().reactor_data_;
}

unsigned int reportedEvents(DescriptorState& state) {
  // descriptor_state derives privately from scheduler_operation: a C-style cast is the one that
  // may name an inaccessible base, and it adjusts the pointer like a static_cast would.
  auto& operation = (detail::scheduler_operation&)state;  // NOLINT(google-readability-casting)
  return operation.*memberOf(ReportedEvents{});
}

constexpr uint32_t kPeerClosed = EPOLLRDHUP | EPOLLHUP | EPOLLERR;

}  // namespace

bool watchPeerClose(Socket& socket) {
  DescriptorState* state = descriptorOf(socket);
  if (state == nullptr) return false;
  uint32_t& registered = state->*memberOf(RegisteredEvents{});
  if (registered == 0) return false;  // not registered with the reactor
  if ((registered & EPOLLRDHUP) != 0) return true;
  epoll_event event{};
  event.events = registered | EPOLLRDHUP;
  event.data.ptr = state;
  const int epoll_fd = (state->*memberOf(OwningReactor{}))->*memberOf(EpollFd{});
  if (::epoll_ctl(epoll_fd, EPOLL_CTL_MOD, socket.native_handle(), &event) != 0) return false;
  registered = event.events;  // Asio's own later changes (EPOLLOUT) start from this
  return true;
}

void markDrained(Socket& socket, size_t read, size_t capacity) {
  if (read == 0 || read >= capacity) return;
  DescriptorState* state = descriptorOf(socket);
  if (state == nullptr || (state->*memberOf(RegisteredEvents{}) & EPOLLRDHUP) == 0) return;
  if ((reportedEvents(*state) & kPeerClosed) != 0) return;  // the close needs no further event
  (state->*memberOf(TrySpeculative{}))[Reactor::read_op] = false;
}

bool readinessTracked() { return true; }

bool nextReadTriesFirst(Socket& socket) {
  DescriptorState* state = descriptorOf(socket);
  return state == nullptr || (state->*memberOf(TrySpeculative{}))[Reactor::read_op];
}

#else

bool watchPeerClose(Socket&) { return false; }
void markDrained(Socket&, size_t, size_t) {}
bool readinessTracked() { return false; }
bool nextReadTriesFirst(Socket&) { return true; }

#endif

}  // namespace portico::dp::net
