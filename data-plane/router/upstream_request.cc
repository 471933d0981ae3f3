#include "data-plane/router/upstream_request.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>

#include <array>

#include "absl/time/time.h"
#include "common/strings.h"
#include "data-plane/http/response_decoder.h"
#include "data-plane/http/wire_writer.h"
#include "data-plane/listener/worker.h"
#include "data-plane/net/read_readiness.h"
#include "data-plane/net/batched_send.h"
#include "data-plane/net/send_now.h"
#include "data-plane/upstream/active_request.h"

namespace portico::dp::router {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using Clock = std::chrono::steady_clock;

namespace {

using net::kNoThrow;

void setOverloaded(UpstreamResult& result, const upstream::Cluster& cluster, upstream::Resource resource) {
  result.outcome = UpstreamOutcome::kOverloaded;
  result.overloaded = resource;
  result.detail = cat("cluster \"", cluster.name, "\" is at its circuit-breaker limit of ",
                      cluster.limits.limit(resource), " ", upstream::resourceName(resource));
}

// Opens a new connection, bounded by the cluster's connect timeout and the try's deadline.
net::Awaitable<upstream::UpstreamConnectionPtr> connect(listener::Worker& worker, const upstream::Endpoint& endpoint,
                                                         const upstream::Cluster& cluster, Clock::time_point deadline,
                                                         UpstreamResult& result) {
  auto connection = std::make_unique<upstream::UpstreamConnection>(worker.io().get_executor());
  const auto connect_deadline =
      std::min(deadline, Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                            absl::ToChronoNanoseconds(cluster.connect_timeout)));
  connection->deadline.expiresAt(connect_deadline);
  auto [ec] = co_await connection->socket.async_connect(endpoint.address, kNoThrow);
  worker.stats().upstream_connections_total->Increment();
  if (ec && connection->deadline.expired()) ec = beast::error::timeout;
  if (ec) {
    worker.stats().upstream_connect_failures_total->Increment();
    if (ec == beast::error::timeout && connect_deadline == deadline) {
      result.outcome = UpstreamOutcome::kTimeout;
      result.detail = cat("timeout while connecting to ", endpoint.key);
    } else if (ec == beast::error::timeout) {
      result.outcome = UpstreamOutcome::kConnectTimeout;
      result.detail = cat("cannot connect to ", endpoint.key, ": connect timeout (",
                          absl::FormatDuration(cluster.connect_timeout), ")");
    } else {
      result.outcome = UpstreamOutcome::kConnectFailed;
      result.detail = cat("cannot connect to ", endpoint.key, ": ", ec.message());
    }
    co_return nullptr;
  }
  connection->socket.set_option(asio::ip::tcp::no_delay(true), ec);
  net::watchPeerClose(connection->socket);  // net/read_readiness.h: reads skip a vain recv()
  co_return connection;
}

// At max_connections, an idle connection of this worker to another endpoint of the cluster holds
// a slot nobody uses right now: closing it lets this request open the connection it needs.
void dropIdleConnection(listener::Worker& worker, const upstream::Cluster& cluster,
                        const upstream::Endpoint& endpoint) {
  for (const upstream::Endpoint& other : cluster.endpoints) {
    if (&other != &endpoint && worker.pool().take(other.pool_key) != nullptr) {
      return;  // the connection was destroyed with its slot
    }
  }
}

// A new connection under the cluster's breakers: while it is being established the request is
// pending (max_pending_requests), and the connection holds a max_connections slot until it is
// closed, in use or idle in the pool.
net::Awaitable<upstream::UpstreamConnectionPtr> openConnection(listener::Worker& worker,
                                                                const upstream::Endpoint& endpoint,
                                                                const upstream::Cluster& cluster,
                                                                Clock::time_point deadline, UpstreamResult& result) {
  upstream::ClusterState& state = *cluster.state;
  upstream::ResourceSlot pending = state.tryAcquire(upstream::Resource::kPendingRequests, cluster.limits);
  if (!pending) {
    setOverloaded(result, cluster, upstream::Resource::kPendingRequests);
    co_return nullptr;
  }
  if (state.inUse(upstream::Resource::kConnections) >= cluster.limits.max_connections) {
    dropIdleConnection(worker, cluster, endpoint);
  }
  upstream::ResourceSlot slot = state.tryAcquire(upstream::Resource::kConnections, cluster.limits);
  if (!slot) {
    setOverloaded(result, cluster, upstream::Resource::kConnections);
    co_return nullptr;
  }
  upstream::UpstreamConnectionPtr connection = co_await connect(worker, endpoint, cluster, deadline, result);
  if (connection) {
    connection->cluster_state = cluster.state;
    connection->connection_slot = std::move(slot);
    connection->endpoint_connection = upstream::OpenConnection(endpoint.state);
  }
  co_return connection;
}

struct Exchange {
  enum class Result { kOk, kIoError, kTimeout, kBad, kTooLarge, kTruncated };
  Result result = Result::kOk;
  beast::error_code ec;  // kIoError
  bool got_response_bytes = false;
};

// How much room a read asks for: a small response arrives in one read.
constexpr size_t kReadBytes = 16 << 10;

// Writes the request and reads the final (non-1xx) response into `decoder`.
net::Awaitable<Exchange> exchange(net::BatchedSender& sender, upstream::UpstreamConnection& connection,
                                   Request& request, const http::AddedFields& added,
                                   http::ResponseDecoder& decoder, Clock::time_point deadline) {
  Exchange out;
  connection.deadline.expiresAt(deadline);
  http::writeRequestHead(request, added, connection.head);
  const std::array<asio::const_buffer, 2> message{asio::buffer(connection.head), asio::buffer(request.body())};
  beast::error_code write_ec;
  size_t sent = 0;
  if (sender.available()) {  // with the turn's other upstream writes (net/batched_send.h)
    auto [ec, n] = co_await net::asyncBatchedSend(sender, connection.socket, message, kNoThrow);
    write_ec = ec;
    sent = n;
  } else {
    sent = net::sendNow(connection.socket.native_handle(), message, write_ec);
  }
  if (!write_ec && sent < asio::buffer_size(message)) {
    auto [ec, written] = co_await asio::async_write(connection.socket, net::unsent(message, sent), kNoThrow);
    write_ec = ec;
  }
  if (write_ec) {
    out.result = connection.deadline.expired() ? Exchange::Result::kTimeout : Exchange::Result::kIoError;
    out.ec = write_ec;
    co_return out;
  }
  beast::flat_buffer& buffer = connection.buffer;
  using State = http::ResponseDecoder::State;
  bool eof = false;
  while (true) {
    State state = State::kNeedMore;
    if (buffer.size() > 0) {
      size_t used = 0;
      const auto data = buffer.data();
      state = decoder.feed(std::string_view(static_cast<const char*>(data.data()), data.size()), used);
      buffer.consume(used);
    }
    if (state == State::kNeedMore && eof) state = decoder.finishAtEof();
    if (state == State::kNeedMore) {
      auto [read_ec, read] = co_await connection.socket.async_read_some(buffer.prepare(kReadBytes), kNoThrow);
      buffer.commit(read);
      net::markDrained(connection.socket, read, kReadBytes);
      out.got_response_bytes = out.got_response_bytes || read > 0;
      if (read_ec == asio::error::eof) {
        eof = true;  // what was read before the close is decoded first
      } else if (read_ec) {
        out.result = connection.deadline.expired() ? Exchange::Result::kTimeout : Exchange::Result::kIoError;
        out.ec = read_ec;
        co_return out;
      }
      continue;
    }
    switch (state) {
      case State::kNeedMore:
        continue;
      case State::kDone:
        co_return out;
      case State::kBad:
        out.result = Exchange::Result::kBad;
        co_return out;
      case State::kTooLarge:
        out.result = Exchange::Result::kTooLarge;
        co_return out;
      case State::kTruncated:
        out.result = Exchange::Result::kTruncated;
        co_return out;
    }
  }
}

// The upstream agreed to switch protocols: the connection becomes the upstream end of a tunnel.
// A 101 that answers a request that asked for no upgrade cannot be passed on (the client would
// not know what follows): it is a bad response.
void switchProtocols(const Request& request, const upstream::Endpoint& endpoint,
                     http::ResponseDecoder& decoder, upstream::UpstreamConnectionPtr connection,
                     UpstreamResult& result) {
  if (request.find(bhttp::field::upgrade) == request.end()) {
    result.outcome = UpstreamOutcome::kBadResponse;
    result.detail = cat("101 Switching Protocols from ", endpoint.key, " to a request without Upgrade");
    return;
  }
  result.outcome = UpstreamOutcome::kOk;
  result.response = std::move(decoder.response());
  result.raw_fields = std::move(decoder.rawFields());
  ++connection->requests;
  result.tunnel = std::move(connection);
}

// A failed exchange: what the client is told, and the counters.
void classifyFailure(listener::Worker& worker, const upstream::Endpoint& endpoint, const Exchange& ex,
                     const http::ResponseDecoder& decoder, UpstreamResult& result) {
  worker.stats().upstream_resets_total->Increment();
  switch (ex.result) {
    case Exchange::Result::kTooLarge:
      result.outcome = UpstreamOutcome::kResponseTooLarge;
      result.detail = cat("response from ", endpoint.key, " exceeds the size limit: ", decoder.error());
      return;
    case Exchange::Result::kBad:
      result.outcome = UpstreamOutcome::kBadResponse;
      result.detail = cat("malformed response from ", endpoint.key, ": ", decoder.error());
      return;
    case Exchange::Result::kTruncated:
      result.outcome = UpstreamOutcome::kReset;
      result.detail = cat("connection to ", endpoint.key,
                          ex.got_response_bytes ? " closed mid-response" : " closed before a response");
      return;
    default:
      result.outcome = UpstreamOutcome::kReset;
      result.detail = cat("connection to ", endpoint.key, " failed: ", ex.ec.message());
      return;
  }
}

}  // namespace

net::Awaitable<void> forwardUpstream(listener::Worker& worker, const upstream::Cluster& cluster,
                                      Request& request, const http::AddedFields& added,
                                      Clock::time_point deadline, const upstream::PickContext& pick,
                                      UpstreamResult& result) {
  // Held for the whole try: Envoy's max_requests counts requests in flight to the cluster.
  upstream::ResourceSlot request_slot = cluster.state->tryAcquire(upstream::Resource::kRequests, cluster.limits);
  if (!request_slot) {
    setOverloaded(result, cluster, upstream::Resource::kRequests);
    co_return;
  }
  const Clock::time_point now = Clock::now();  // one reading for the pick and the pool
  if (now >= deadline) {
    // Nothing is sent once the deadline has passed (an upstream must not run a request whose
    // client has been told it timed out).
    worker.stats().upstream_timeouts_total->Increment();
    result.outcome = UpstreamOutcome::kTimeout;
    result.detail = "the deadline passed before the request was sent";
    co_return;
  }
  const upstream::Endpoint* endpoint = worker.pickEndpoint(cluster, pick, now);
  if (endpoint == nullptr) {
    result.outcome = UpstreamOutcome::kNoEndpoint;
    result.detail = cat("no healthy endpoint in cluster \"", cluster.name, "\"");
    co_return;
  }
  result.endpoint = endpoint;
  result.upstream_host = endpoint->key;
  const upstream::ActiveRequest active(*endpoint->state);  // least_request reads it
  // A pooled connection may have been closed by the upstream while idle; if it fails before
  // any response byte arrives, the request never reached the application, so it is safe to
  // send it once more on a fresh connection. This is not a retry: no retry policy is needed.
  upstream::UpstreamConnectionPtr connection = worker.pool().take(endpoint->pool_key, now);
  bool reused = connection != nullptr;
  const http::ResponseLimits limits{64 << 10, worker.limits().max_response_body_bytes};
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (!connection) {
      connection = co_await openConnection(worker, *endpoint, cluster, deadline, result);
      if (!connection) {
        co_return;
      }
      reused = false;
    }
    http::ResponseDecoder decoder(limits, request.method() == bhttp::verb::head);
    const Exchange ex = co_await exchange(worker.sender(), *connection, request, added, decoder, deadline);
    if (ex.result == Exchange::Result::kOk && decoder.response().result() == bhttp::status::switching_protocols) {
      switchProtocols(request, *endpoint, decoder, std::move(connection), result);
      co_return;
    }
    if (ex.result == Exchange::Result::kOk) {
      result.outcome = UpstreamOutcome::kOk;
      result.response = std::move(decoder.response());
      result.raw_fields = std::move(decoder.rawFields());
      ++connection->requests;
      connection->deadline.expiresNever();  // idle in the pool: the pool's idle timeout applies
      // Bytes after the response (a body after HEAD or 204, more than Content-Length said) put
      // the connection out of step: the next request would be answered with them. Never reuse
      // it. (Bytes that arrive only after this point are not seen here: docs/resilience.md.)
      if (decoder.keepAlive() && connection->buffer.size() == 0) {
        worker.pool().put(endpoint->pool_key, std::move(connection), now);
      }
      co_return;
    }
    if (ex.result == Exchange::Result::kTimeout) {
      worker.stats().upstream_timeouts_total->Increment();
      result.outcome = UpstreamOutcome::kTimeout;
      result.detail = cat("timeout waiting for ", endpoint->key);
      co_return;
    }
    if (reused && !ex.got_response_bytes &&
        (ex.result == Exchange::Result::kIoError || ex.result == Exchange::Result::kTruncated)) {
      worker.stats().upstream_stale_retries_total->Increment();
      connection.reset();
      continue;
    }
    classifyFailure(worker, *endpoint, ex, decoder, result);
    co_return;
  }
  result.outcome = UpstreamOutcome::kReset;
  result.detail = cat("connection to ", endpoint->key, " failed twice");
  co_return;
}

}  // namespace portico::dp::router
