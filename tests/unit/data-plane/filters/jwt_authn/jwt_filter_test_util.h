#pragma once

// Shared by the jwt_authn unit tests: requests as the filter sees them, and a runner that also
// drives decodeHeadersAsync on an io_context of its own.

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "data-plane/http/filter.h"
#include "data-plane/router/message.h"

namespace portico::dp::filters::jwt_authn::testing {

// A request and the FilterState over it.
struct TestRequest {
  explicit TestRequest(std::string target, std::vector<std::pair<std::string, std::string>> headers = {}) {
    request.method(boost::beast::http::verb::get);
    request.target(target);
    request.version(11);
    request.set(boost::beast::http::field::host, "api.example.com");
    for (auto& [name, value] : headers) request.insert(name, value);
    state.request = &request;
    const std::string_view t = request.target();
    const size_t q = t.find('?');
    state.path = t.substr(0, q);
    state.query = q == std::string_view::npos ? std::string_view() : t.substr(q + 1);
  }
  TestRequest(const TestRequest&) = delete;

  // All values of a header, in order.
  std::vector<std::string> values(std::string_view name) const {
    std::vector<std::string> out;
    auto range = request.base().equal_range(name);
    for (auto it = range.first; it != range.second; ++it) out.emplace_back(it->value());
    return out;
  }

  router::Request request;
  http::FilterState state;
};

// decodeHeaders, then decodeHeadersAsync when asked (on a private io_context, bounded).
inline http::FilterStatus runFilter(const http::HttpFilter& filter, TestRequest& request,
                                    const http::FilterRouteConfig* route = nullptr, bool* went_async = nullptr) {
  http::FilterStatus status = filter.decodeHeaders(request.state, route);
  if (went_async != nullptr) *went_async = status == http::FilterStatus::kAsync;
  if (status != http::FilterStatus::kAsync) return status;
  boost::asio::io_context io;
  std::optional<http::FilterStatus> result;
  boost::asio::co_spawn(
      io,
      [&]() -> net::Awaitable<void> { result = co_await filter.decodeHeadersAsync(request.state, route); },
      boost::asio::detached);
  io.run_for(std::chrono::seconds(30));
  return result.value_or(http::FilterStatus::kAsync);
}

}  // namespace portico::dp::filters::jwt_authn::testing
