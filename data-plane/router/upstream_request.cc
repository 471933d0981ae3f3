#include "data-plane/router/upstream_request.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/asio/write.hpp>

#include <array>

#include "common/strings.h"
#include "data-plane/http/wire_writer.h"
#include "data-plane/listener/worker.h"
#include "data-plane/upstream/active_request.h"

namespace portico::dp::router {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

void setDeadline(beast::tcp_stream& stream, Clock::time_point deadline) {
  if (deadline == Clock::time_point::max()) {
    stream.expires_never();
  } else {
    stream.expires_at(deadline);
  }
}

// Opens a new connection, bounded by the cluster's connect timeout and the route deadline.
asio::awaitable<upstream::UpstreamConnectionPtr> connect(listener::Worker& worker, const upstream::Endpoint& endpoint,
                                                         const upstream::Cluster& cluster, Clock::time_point deadline,
                                                         UpstreamResult& result) {
  auto connection = std::make_unique<upstream::UpstreamConnection>(worker.io().get_executor());
  const auto connect_deadline =
      std::min(deadline, Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                            absl::ToChronoNanoseconds(cluster.connect_timeout)));
  setDeadline(connection->stream, connect_deadline);
  auto [ec] = co_await connection->stream.async_connect(endpoint.address, kNoThrow);
  worker.stats().upstream_connections_total->Increment();
  if (ec) {
    worker.stats().upstream_connect_failures_total->Increment();
    if (ec == beast::error::timeout && connect_deadline == deadline) {
      result.outcome = UpstreamOutcome::kTimeout;
      result.detail = cat("route timeout while connecting to ", endpoint.key);
    } else {
      result.outcome = UpstreamOutcome::kConnectFailed;
      result.detail = cat("cannot connect to ", endpoint.key, ": ",
                          ec == beast::error::timeout ? "connect timeout" : ec.message());
    }
    co_return nullptr;
  }
  connection->stream.socket().set_option(asio::ip::tcp::no_delay(true), ec);
  co_return connection;
}

struct Exchange {
  beast::error_code ec;
  bool got_response_bytes = false;
};

// Writes the request and reads the final (non-1xx) response into `parser`.
asio::awaitable<Exchange> exchange(upstream::UpstreamConnection& connection, Request& request,
                                   std::optional<bhttp::response_parser<bhttp::string_body>>& parser,
                                   uint64_t body_limit, Clock::time_point deadline) {
  Exchange out;
  setDeadline(connection.stream, deadline);
  http::writeRequestHead(request, connection.head);
  const std::array<asio::const_buffer, 2> message{asio::buffer(connection.head), asio::buffer(request.body())};
  auto [write_ec, written] = co_await asio::async_write(connection.stream, message, kNoThrow);
  if (write_ec) {
    out.ec = write_ec;
    co_return out;
  }
  while (true) {
    parser.emplace();
    parser->header_limit(64 << 10);
    parser->body_limit(body_limit);
    if (request.method() == bhttp::verb::head) {
      parser->skip(true);
    }
    auto [read_ec, read] = co_await bhttp::async_read(connection.stream, connection.buffer, *parser, kNoThrow);
    out.got_response_bytes = out.got_response_bytes || parser->got_some() || read > 0;
    if (read_ec) {
      out.ec = read_ec;
      co_return out;
    }
    const unsigned status = parser->get().result_int();
    if (status >= 100 && status < 200 && status != 101) {
      continue;  // interim response (e.g. 100 Continue): the final one follows
    }
    if (status < 100 || status > 599) {
      out.ec = bhttp::error::bad_status;  // Beast's parser takes any three digits
    }
    co_return out;
  }
}

}  // namespace

asio::awaitable<UpstreamResult> forwardUpstream(listener::Worker& worker, const upstream::Cluster& cluster,
                                                Request& request, Clock::time_point deadline,
                                                const upstream::PickContext& pick) {
  UpstreamResult result;
  const upstream::Endpoint* endpoint = worker.pickEndpoint(cluster, pick);
  if (endpoint == nullptr) {
    result.outcome = UpstreamOutcome::kNoEndpoint;
    result.detail = cat("no healthy endpoint in cluster \"", cluster.name, "\"");
    co_return result;
  }
  result.upstream_host = endpoint->key;
  const upstream::ActiveRequest active(*endpoint->state);  // least_request reads it
  // A pooled connection may have been closed by the upstream while idle; if it fails before
  // any response byte arrives, the request never reached the application, so it is safe to
  // send it once more on a fresh connection.
  upstream::UpstreamConnectionPtr connection = worker.pool().take(endpoint->key);
  bool reused = connection != nullptr;
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (!connection) {
      connection = co_await connect(worker, *endpoint, cluster, deadline, result);
      if (!connection) {
        co_return result;
      }
      reused = false;
    }
    std::optional<bhttp::response_parser<bhttp::string_body>> parser;
    Exchange ex = co_await exchange(*connection, request, parser, worker.limits().max_response_body_bytes, deadline);
    if (!ex.ec) {
      result.outcome = UpstreamOutcome::kOk;
      const bool reusable = parser->get().keep_alive() && !parser->need_eof();
      result.response = parser->release();
      ++connection->requests;
      if (reusable) {
        worker.pool().put(endpoint->key, std::move(connection));
      }
      co_return result;
    }
    if (ex.ec == beast::error::timeout) {
      worker.stats().upstream_timeouts_total->Increment();
      result.outcome = UpstreamOutcome::kTimeout;
      result.detail = cat("route timeout waiting for ", endpoint->key);
      co_return result;
    }
    if (reused && !ex.got_response_bytes) {
      worker.stats().upstream_stale_retries_total->Increment();
      connection.reset();
      continue;
    }
    worker.stats().upstream_resets_total->Increment();
    if (ex.ec == bhttp::error::body_limit || ex.ec == bhttp::error::header_limit) {
      result.outcome = UpstreamOutcome::kBadResponse;
      result.detail = cat("response from ", endpoint->key, " exceeds the size limit");
    } else if (ex.ec == bhttp::error::bad_status ||
               (ex.got_response_bytes && ex.ec != asio::error::eof && ex.ec != asio::error::connection_reset &&
               ex.ec != bhttp::error::partial_message)) {
      result.outcome = UpstreamOutcome::kBadResponse;
      result.detail = cat("malformed response from ", endpoint->key, ": ", ex.ec.message());
    } else {
      result.outcome = UpstreamOutcome::kReset;
      result.detail = cat("connection to ", endpoint->key, " failed: ", ex.ec.message());
    }
    co_return result;
  }
  result.outcome = UpstreamOutcome::kReset;
  result.detail = cat("connection to ", endpoint->key, " failed twice");
  co_return result;
}

}  // namespace portico::dp::router
