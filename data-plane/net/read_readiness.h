#pragma once

// Edge-triggered read readiness, kept the way nginx keeps it: a read that returned less than
// its buffer emptied the socket's receive queue, so the next read waits for epoll instead of
// trying recv() first, unless the peer's close was already reported.
//
// Why: Asio starts every read with a speculative recv() and only stops after a read of 0
// bytes. The proxy reads an upstream connection right after writing a request on it, so that
// recv() nearly always finds nothing. perf's syscall tracepoints (tools/bench/cpu-per-request
// --syscalls) counted 2.9 recv() per proxied request at two workers against nginx's 2.0; with
// every read marked, 2.0.
//
// Only upstream reads use it (router/upstream_request.cc): 2.9 recv() per request again, as the
// client's read now starts right after its response is written (net/send_now.h, since then
// net/batched_send.h) and finds nothing. Marking client reads as well gave proxy-compare about the same 2-worker p99, but
// 1-worker requests/s lower in 5 of 7 interleaved rounds measured side by side (by 4-21 %) and
// never higher (docs/benchmarks.md, 2026-11-29), with fewer system calls and no more CPU per
// request. A second A/B, 12 rounds in both orders (tools/bench/cpu-per-request --baseline),
// saw the same: lower in 9 of 12, because that proxy received less CPU (0.80-0.84 cores
// against 0.83-0.90, longer run-queue waits, more preemptions per request) for the same CPU
// per request. Why the scheduler treats it so is not understood; the measurement decides.
//
// Why it is safe: the descriptor is registered edge-triggered, so every byte that arrives after
// the short read makes a new epoll event, and Asio's reactor answers any event by trying the
// next read at once again. What a short read leaves behind without a later event is the peer's
// close (FIN or reset) when it came with or before the bytes read: a read waiting for an event
// would wait forever. So the descriptor also asks epoll for EPOLLRDHUP (watchPeerClose, once per
// connection), and a short read does not clear the attempt when the descriptor's last reported
// events include the close.
//
// How: the attempt flag, the registered events and the last reported events are private to
// Asio's epoll reactor (boost/asio/detail/epoll_reactor.hpp). They are reached through the
// standard's explicit-instantiation access rule, for the Asio version this was written against
// (Boost 1.81) only; with another version or reactor these functions do nothing and reads keep
// Asio's behaviour. Worker thread only: the worker's io_context runs with
// BOOST_ASIO_CONCURRENCY_HINT_UNSAFE_IO, under which Asio itself touches this state unlocked.

#include <cstddef>

#include "data-plane/net/executor.h"

namespace portico::dp::net {

// Adds EPOLLRDHUP to `socket`'s registration (one epoll_ctl), which markDrained requires.
// Call once the socket is open and connected; false if it could not be done.
bool watchPeerClose(Socket& socket);

// Call right after a read on `socket` returned `read` bytes into a buffer of `capacity` bytes.
// Does nothing unless 0 < read < capacity, the socket is watched for the peer's close and that
// close has not been reported.
void markDrained(Socket& socket, size_t read, size_t capacity);

// Whether these functions have an effect with this build's Asio.
bool readinessTracked();

// Whether the next read on `socket` starts with a recv() attempt (Asio's speculative read) or
// waits for epoll first. For tests.
bool nextReadTriesFirst(Socket& socket);

}  // namespace portico::dp::net
