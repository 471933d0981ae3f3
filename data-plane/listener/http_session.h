#pragma once

// One client connection on a worker: a coroutine that reads HTTP/1.1 requests one at a time
// (a fresh parser per message, limits and timeouts on every read), routes and forwards each,
// and writes the answer, keeping the connection alive when both sides allow it.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <string>

#include "data-plane/net/executor.h"

namespace portico::dp::listener {

class Worker;

net::Awaitable<void> runHttpSession(Worker& worker, net::Socket socket,
                                            std::string listener_name);

}  // namespace portico::dp::listener
