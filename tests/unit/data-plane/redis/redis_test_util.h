#pragma once

// Runs data-plane coroutines to completion on a test's own io_context, bounded in time.

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <optional>
#include <utility>
#include <vector>

#include "data-plane/net/executor.h"

namespace portico::dp::redis::testing {

template <typename T>
net::Awaitable<void> storeResult(net::Awaitable<T> task, std::optional<T>* out) {
  *out = co_await std::move(task);
}

// Runs `io` until every result is in, or 10 s passed (then some stay empty).
template <typename T>
void runUntilDone(boost::asio::io_context& io, std::vector<std::optional<T>>& results) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  auto done = [&results] {
    for (const auto& r : results) {
      if (!r.has_value()) return false;
    }
    return true;
  };
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    // An io_context that ran out of work stops, and runs nothing more until restarted.
    if (io.stopped()) io.restart();
    io.run_one_for(std::chrono::milliseconds(50));
  }
}

// Starts every task, then runs them concurrently.
template <typename T>
std::vector<std::optional<T>> runAll(boost::asio::io_context& io, std::vector<net::Awaitable<T>> tasks) {
  std::vector<std::optional<T>> results(tasks.size());
  for (size_t i = 0; i < tasks.size(); ++i) {
    boost::asio::co_spawn(io.get_executor(), storeResult(std::move(tasks[i]), &results[i]), boost::asio::detached);
  }
  runUntilDone(io, results);
  return results;
}

template <typename T>
std::optional<T> runOne(boost::asio::io_context& io, net::Awaitable<T> task) {
  std::vector<net::Awaitable<T>> tasks;
  tasks.push_back(std::move(task));
  return std::move(runAll(io, std::move(tasks)).front());
}

}  // namespace portico::dp::redis::testing
