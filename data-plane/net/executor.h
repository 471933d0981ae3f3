#pragma once

// The one executor type of a worker's I/O: its io_context's own executor, named statically.
// Asio's default, any_io_executor, is type-erased: every operation copies it, asks it for
// outstanding-work tracking and destroys it again through function pointers (3–4% of the
// proxy's CPU at 60k requests/s, perf). Coroutines, sockets and timers on the request path are
// declared with this executor instead; they only ever run on one io_context anyway.

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/basic_stream_socket.hpp>
#include <boost/asio/basic_waitable_timer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>

#include "data-plane/net/frame_pool.h"

namespace portico::dp::net {

using Executor = boost::asio::io_context::executor_type;

template <typename T = void>
using Awaitable = boost::asio::awaitable<T, Executor>;

using Socket = boost::asio::basic_stream_socket<boost::asio::ip::tcp, Executor>;

using Timer = boost::asio::basic_waitable_timer<std::chrono::steady_clock,
                                                boost::asio::wait_traits<std::chrono::steady_clock>, Executor>;

// co_await op(..., kNoThrow) gives the operation's results as a tuple instead of throwing.
inline constexpr auto kNoThrow = boost::asio::as_tuple(boost::asio::use_awaitable_t<Executor>{});

}  // namespace portico::dp::net

// Coroutine frames on this executor come from the worker's FramePool (net/frame_pool.h) instead
// of Asio's recycling cache, which keeps a few first-fit blocks per thread and none over 1,020
// bytes. Explicit specializations of the frame base's allocation functions for this executor
// only: declared here, where net::Awaitable is, so every translation unit that can create such a
// frame sees them (coroutines on other executors keep Asio's allocator).
template <>
inline void* boost::asio::detail::awaitable_frame_base<portico::dp::net::Executor>::operator new(
    std::size_t size) {
  return portico::dp::net::FramePool::allocate(size);
}

template <>
inline void boost::asio::detail::awaitable_frame_base<portico::dp::net::Executor>::operator delete(
    void* pointer, std::size_t size) {
  portico::dp::net::FramePool::deallocate(pointer, size);
}
