#include "data-plane/listener/http_session.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <array>
#include <tuple>
#include <optional>

#include "absl/container/inlined_vector.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "common/logging.h"
#include "common/strings.h"
#include "common/xds/hcm_extensions.h"
#include "data-plane/http/consumer.h"
#include "data-plane/http/filter_runner.h"
#include "data-plane/http/forwarded_headers.h"
#include "data-plane/http/hop_headers.h"
#include "data-plane/http/local_reply.h"
#include "data-plane/http/request_decoder.h"
#include "data-plane/http/wire_writer.h"
#include "data-plane/listener/http_settings.h"
#include "data-plane/listener/outcome.h"
#include "data-plane/listener/request_context.h"
#include "data-plane/listener/request_reader.h"
#include "data-plane/listener/tunnel.h"
#include "data-plane/listener/worker.h"
#include "data-plane/net/batched_send.h"
#include "data-plane/net/send_now.h"
#include "data-plane/net/timed_stream.h"
#include "data-plane/net/tls_close.h"
#include "data-plane/tls/context_slot.h"
#include "data-plane/tls/x509_util.h"
#include "data-plane/router/hash_policy.h"
#include "data-plane/router/retrying_forwarder.h"
#include "data-plane/router/route_stats.h"
#include "data-plane/router/upstream_request.h"

namespace portico::dp::listener {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using Clock = std::chrono::steady_clock;
using router::Request;
using router::Response;

namespace {

using net::kNoThrow;

beast::string_view bsv(std::string_view s) { return beast::string_view(s.data(), s.size()); }

// Per-session memo of this listener's config, route table and HTTP settings in the current
// snapshot, so the lookup by name happens once per snapshot, not once per request. Keyed by
// generation, not address: a freed snapshot's address can be reused by the next one while the
// connection idles. The pointers are only read while a request pins the snapshot of that
// generation; the settings are a copy.
struct RouteCache {
  uint64_t generation = 0;  // 0: nothing resolved yet (generations start at 1)
  bool resolved = false;
  // The connection terminated TLS. A listener that switched between plaintext and TLS since
  // counts as removed for it: its next request is refused and the connection closed, so no
  // plaintext request is served on a listener now declared TLS (nor the reverse).
  bool tls = false;
  const config::ListenerConfig* listener = nullptr;  // null: not in that snapshot
  const router::RouteTable* table = nullptr;
  HttpSettings settings;  // the listener's, or the proxy's defaults without one
};


// The verified client certificate's subject, on requests from a TLS listener that verifies
// client certificates (docs/security.md).
constexpr std::string_view kClientCertSubjectHeader = "x-portico-client-cert-subject";

// Brings the memo up to the worker's current snapshot (no-op when it already is).
void refreshCache(Worker& worker, const std::string& listener_name, RouteCache& cache) {
  const config::SnapshotPtr& snapshot = worker.snapshot();
  const uint64_t generation = snapshot ? snapshot->generation() : 0;
  if (cache.resolved && cache.generation == generation) return;
  cache.resolved = true;
  cache.generation = generation;
  cache.listener = snapshot ? snapshot->listener(listener_name) : nullptr;
  if (cache.listener != nullptr && (cache.listener->tls != nullptr) != cache.tls) {
    cache.listener = nullptr;
  }
  cache.table = cache.listener ? snapshot->routeTableFor(*cache.listener) : nullptr;
  cache.settings = resolveHttpSettings(cache.listener ? &cache.listener->http : nullptr, worker.limits());
}

// Pins the worker's current snapshot and finds this connection's listener in it.
void resolveListener(Worker& worker, const std::string& listener_name, RouteCache& cache,
                     RequestContext& ctx) {
  ctx.snapshot = worker.snapshot();
  if (!ctx.snapshot) return;
  refreshCache(worker, listener_name, cache);
  ctx.listener = cache.listener;
  if (ctx.listener != nullptr) {
    ctx.id_header = ctx.listener->request_id_header;
    ctx.echo_id = ctx.listener->request_id_in_response;
  }
}

int pickWeighted(const router::Route& route, uint64_t random) {
  uint64_t point = random % route.total_weight;
  for (const router::WeightedTarget& target : route.weighted) {
    if (point < target.weight) return target.cluster_index;
    point -= target.weight;
  }
  return route.weighted.back().cluster_index;
}

// A CORS preflight: OPTIONS with Origin and Access-Control-Request-Method. Its route is the one
// the requested method would take (the preflight asks about that request), so a route limited
// to GET/POST still gets its preflight answered.
bool isCorsPreflight(const Request& request) {
  return request.method() == bhttp::verb::options && request.count(bhttp::field::origin) > 0 &&
         request.count(bhttp::field::access_control_request_method) > 0;
}

void startFilterState(Worker& worker, Request& request, const router::RequestView& view, RequestContext& ctx) {
  http::FilterState& state = ctx.filter_state;
  state.request = &request;
  state.path = view.path;
  state.query = view.query;
  state.client_address = ctx.client_address;
  state.listener = ctx.listener;
  state.worker_index = worker.index();
}

// Finds the route and runs its filters' synchronous part (a plain function: a request whose
// filters never wait costs no coroutine frame). On kAsync, `next` is the filter to co_await
// (http/filter_runner.h). A preflight is first matched with the requested method and offered to
// the filters that answer preflights (CORS); if none answers, the request is matched again as
// the plain OPTIONS it is.
const router::Route* routeAndFilter(Worker& worker, Request& request, const router::RouteTable& table,
                                    const router::RequestView& view, RequestContext& ctx, size_t& next,
                                    http::FilterStatus& status) {
  status = http::FilterStatus::kContinue;
  next = 0;
  startFilterState(worker, request, view, ctx);
  if (isCorsPreflight(request)) {
    router::RequestView asked = view;
    asked.method = request[bhttp::field::access_control_request_method];
    const router::Route* route = table.match(request[bhttp::field::host], asked);
    if (route != nullptr && !route->filters.empty() && route->blocked_by_filter.empty()) {
      ctx.filter_state.cors_preflight = true;
      ctx.filter_state.route_name = route->name;
      ctx.filter_state.route = route;
      status = http::runDecoders(route->filters, ctx.filter_state, next);
      if (status != http::FilterStatus::kContinue) {
        ctx.filters = &route->filters;
        return route;
      }
      ctx.filter_state.reset();  // not answered: start over as a plain OPTIONS
      startFilterState(worker, request, view, ctx);
      next = 0;
    }
  }
  const router::Route* route = table.match(request[bhttp::field::host], view);
  if (route == nullptr || !route->blocked_by_filter.empty() || route->filters.empty()) return route;
  ctx.filter_state.route_name = route->name;
  ctx.filter_state.route = route;
  ctx.filters = &route->filters;
  status = http::runDecoders(route->filters, ctx.filter_state, next);
  return route;
}

// The answer is written into `out` (default-constructed): an Outcome returned by value was
// moved twice on its way out of the coroutine.
net::Awaitable<void> handle(Worker& worker, Request& request, const std::string& listener_name,
                            const std::string& client_ip, RouteCache& cache, RequestContext& ctx,
                            Outcome& out) {
  resolveListener(worker, listener_name, cache, ctx);  // pins the snapshot for this request
  static const http::ForwardingOptions kNoForwarding;
  const http::ForwardingOptions& forwarding =
      ctx.listener != nullptr ? ctx.listener->http.forwarding : kNoForwarding;
  ctx.client_address = http::clientAddress(request, client_ip, forwarding);
  // Request id first: every answer, local or proxied, carries it.
  if (auto it = request.find(bsv(ctx.id_header));
      it != request.end() && http::validRequestId(it->value())) {
    ctx.request_id = std::string(it->value());
  } else {
    ctx.request_id = worker.requestIds().next();
  }
  if (ctx.logs()) {
    ctx.original_target = std::string(request.target());
  }

  if (!ctx.snapshot) {
    out = localOutcome(503, "not_ready", "the proxy has no configuration yet", ctx, request,
                       worker.unroutedStats());
    co_return;
  }
  const config::Snapshot& snapshot = *ctx.snapshot;
  if (ctx.listener == nullptr) {
    out = localOutcome(503, "listener_draining", "this listener has been removed", ctx, request,
                       worker.unroutedStats(), /*close=*/true);
    co_return;
  }
  if (cache.table == nullptr) {
    out = localOutcome(503, "not_ready", "the route configuration has not arrived yet", ctx,
                       request, worker.unroutedStats());
    co_return;
  }
  std::string_view target = request.target();
  size_t question = target.find('?');
  std::string_view path = target.substr(0, question);
  std::string_view query = question == std::string_view::npos ? std::string_view() : target.substr(question + 1);
  const router::RequestView view{request.method_string(), path, query, &request.base()};
  // Identity headers are the gateway's to set (filters set them below): a client's copies are
  // dropped before anything reads them, route matching included.
  http::removeIdentityHeaders(request);
  if (!ctx.client_cert_subject.empty()) {  // the TLS client's verified identity, for filters too
    request.set(kClientCertSubjectHeader, bsv(ctx.client_cert_subject));
  }
  http::FilterStatus filtered = http::FilterStatus::kContinue;
  size_t next_filter = 0;
  const router::Route* route = routeAndFilter(worker, request, *cache.table, view, ctx, next_filter, filtered);
  while (filtered == http::FilterStatus::kAsync) {
    filtered = co_await http::asyncDecoder(route->filters, ctx.filter_state, next_filter);
    if (filtered == http::FilterStatus::kContinue) {
      filtered = http::runDecoders(route->filters, ctx.filter_state, next_filter);
    }
  }
  if (ctx.filters != nullptr) {
    // A filter may have rewritten the target (key-auth hiding a key in the query).
    target = request.target();
    question = target.find('?');
    path = target.substr(0, question);
    query = question == std::string_view::npos ? std::string_view() : target.substr(question + 1);
  }
  if (route == nullptr) {
    out = localOutcome(404, "no_route",
                       cat("no route for ", request.method_string(), " ", path), ctx, request,
                       worker.unroutedStats());
    co_return;
  }
  ctx.route_name = route->name;
  if (!route->blocked_by_filter.empty()) {
    // Fail closed: a policy this proxy cannot enforce yet must not be skipped.
    out = localOutcome(
        503, "filter_not_supported",
        cat("route \"", route->name, "\" enables filter ", route->blocked_by_filter,
            ", which this proxy version does not implement"),
        ctx, request, route->stats);
    co_return;
  }
  if (filtered == http::FilterStatus::kLocalReply) {
    out = filterReplyOutcome(ctx.filter_state.reply, ctx, request, route->stats);
    co_return;
  }
  if (route->action == router::Route::Action::kDirectResponse) {
    out = directResponse(*route, request, ctx);
    co_return;
  }
  if (route->action == router::Route::Action::kRedirect) {
    out = redirectResponse(*route, request, path, query, ctx);
    co_return;
  }
  const int cluster_index = route->action == router::Route::Action::kWeightedClusters
                                ? pickWeighted(*route, worker.requestIds().nextRandom())
                                : route->cluster_index;
  const upstream::Cluster* cluster = snapshot.cluster(cluster_index);
  if (cluster == nullptr) {
    out = localOutcome(503, "no_cluster", cat("cluster \"", route->cluster, "\" is not known"),
                       ctx, request, route->stats);
    co_return;
  }
  if (!route->prefix_rewrite.empty() || route->regex_rewrite) {
    request.target(route->rewritePath(path, query));
  }
  if (!route->host_rewrite.empty()) {
    request.set(bhttp::field::host, route->host_rewrite);
  }

  // The balancer's input, from the request as the client sent it: the route's hash (ring
  // hash, Maglev), if any.
  upstream::PickContext pick;
  if (!route->hash_policies.empty()) {
    // TODO(xff): hash ctx.client_address (the XFF-aware client address) once it lands.
    pick.hash = router::computeRequestHash(route->hash_policies, request.base(), client_ip);
  }

  // The upstream request: this request with hop-by-hop and spoofable identity headers removed
  // and the forwarding headers set.
  const bool client_keep_alive = request.keep_alive();
  const bool upgrade = http::isWebSocketUpgrade(request);
  http::removeHopByHop(request);
  route->request_headers.apply(request);
  // The gateway's own fields go after the request's (http/added_fields.h): its request id
  // (a client's copy, kept in ctx.request_id when valid, is replaced) and the forwarding headers.
  http::AddedFields added;
  request.erase(bsv(ctx.id_header));
  added.add(ctx.id_header, ctx.request_id);
  http::setForwardingHeaders(request, client_ip, ctx.scheme, forwarding, added);
  request.version(11);
  // HTTP/1.1 persists by default, and hop-by-hop removal left no Connection field unless the
  // route's header mutations added one: only then does Beast's keep_alive() have work to do.
  const auto has_connection = [&request] { return request.find(bhttp::field::connection) != request.end(); };
  if (has_connection()) request.keep_alive(true);
  if (upgrade) http::setUpgradeHeaders(request);
  http::frameRequestBody(request);

  const auto deadline = route->timeout == absl::ZeroDuration()
                            ? Clock::time_point::max()
                            : Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                                absl::ToChronoNanoseconds(route->timeout));
  router::UpstreamResult result;
  co_await router::forwardWithRetries(worker, *cluster, route->retry_policy.get(), request, added, deadline, pick,
                                      result);
  if (!client_keep_alive || has_connection()) request.keep_alive(client_keep_alive);
  ctx.upstream_host = std::move(result.upstream_host);
  upstreamOutcome(std::move(result), *route, request, client_keep_alive, ctx, out);
}

std::string_view sv(beast::string_view s) { return std::string_view(s.data(), s.size()); }

// Hands one line per access log of the listener to the worker's buffers (no I/O here).
// `started`: when the request's head had arrived; `bytes_sent`: response body bytes written.
void logRequest(Worker& worker, const RequestContext& ctx, std::string_view method,
                std::string_view path, int status, uint64_t bytes_sent, Clock::time_point started,
                const std::string& client_ip) {
  const Clock::duration elapsed = Clock::now() - started;
  http::AccessLogEntry entry;
  entry.start_time = std::chrono::system_clock::now() -
                     std::chrono::duration_cast<std::chrono::system_clock::duration>(elapsed);
  entry.method = method;
  entry.path = path;
  entry.status = status;
  entry.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count();
  entry.upstream_host = ctx.upstream_host;
  entry.route = ctx.route_name;
  entry.request_id = ctx.request_id;
  entry.client_ip = client_ip;
  entry.bytes_sent = bytes_sent;
  for (const http::AccessLogConstSharedPtr& log : ctx.listener->access_logs) {
    worker.accessLog().log(*log, entry);
  }
}

// Answers a refused request (http/refusal.h) with its JSON local reply, logs it, and lingers so
// the client can read the answer before the connection closes.
template <typename Stream>
net::Awaitable<void> refuse(Worker& worker, net::TimedStream<Stream>& client,
                            beast::flat_buffer& buffer, const http::Refusal& refusal,
                            const std::string& listener_name, RouteCache& cache,
                            http::RequestDecoder& decoder, Clock::time_point started,
                            const std::string& client_ip) {
  worker.stats().downstream_bad_requests_total->Increment();
  RequestContext ctx;
  resolveListener(worker, listener_name, cache, ctx);
  ctx.request_id = worker.requestIds().next();
  Response reply = http::localReply(refusal.status, refusal.code, refusal.message, ctx.request_id,
                                    11, /*keep_alive=*/false);
  setGatewayResponseHeaders(reply, ctx);
  client.deadline.expiresAfter(std::chrono::seconds(5));
  auto [write_ec, written] = co_await bhttp::async_write(client.stream, reply, kNoThrow);
  if (ctx.logs()) {
    const Request& partial = decoder.request();  // what was parsed before the refusal
    logRequest(worker, ctx, sv(partial.method_string()), sv(partial.target()), refusal.status,
               write_ec ? 0 : reply.body().size(), started, client_ip);
  }
  if (!write_ec) co_await lingerBeforeClose(client, buffer);
}

constexpr size_t kCoalesceTlsBytes = 16 << 10;

// What a connection knows of itself, for every request on it.
struct ConnectionInfo {
  Clock::time_point accepted;
  std::string client_ip;
  std::string_view scheme = "http";
  std::string client_cert_subject;  // TLS with a verified client certificate only
};

// The connection's request loop, on either stream. Returns whether the connection ended by the
// proxy's decision after a complete response (then a TLS connection says close_notify), not by
// the client going away, a timeout or an I/O error.
template <typename Stream>
net::Awaitable<bool> serveRequests(Worker& worker, net::TimedStream<Stream>& client,
                                   const std::string& listener_name, RouteCache& cache,
                                   const ConnectionInfo& connection) {
  const std::string& client_ip = connection.client_ip;
  beast::flat_buffer buffer;
  std::string head;  // reused response-head buffer
  for (bool first = true;; first = false) {
    if (worker.draining() && buffer.size() == 0) co_return true;  // no new request is waited for
    // The listener's settings in the current snapshot: limits, timeouts, path normalization.
    refreshCache(worker, listener_name, cache);
    const HttpSettings& settings = cache.settings;
    http::RequestDecoder decoder(settings.decoder);  // a fresh parser per message
    // Until its head is complete the connection counts as idle: a drain may close it.
    const ReadResult read = co_await readRequest(
        client, buffer, decoder, settings,
        first ? std::optional(connection.accepted) : std::nullopt, worker);
    const auto started = read.head_done;
    if (read.status == ReadResult::Status::kClosed) {
      co_return false;
    }
    if (read.status == ReadResult::Status::kRefused) {
      co_await refuse(worker, client, buffer, read.refusal, listener_name, cache, decoder, started,
                      client_ip);
      co_return false;  // lingerBeforeClose has ended the stream
    }
    Request& request = decoder.request();
    const bool head_request = request.method() == bhttp::verb::head;
    RequestContext ctx;
    ctx.scheme = connection.scheme;
    ctx.client_cert_subject = connection.client_cert_subject;
    Outcome outcome;
    co_await handle(worker, request, listener_name, client_ip, cache, ctx, outcome);
    if (ctx.filter_state.decoded != 0) {
      http::runEncoders(*ctx.filters, ctx.filter_state, outcome.response);
    }
    dropForbiddenBody(outcome.response, head_request);
    if (worker.draining() && !outcome.close) {
      outcome.close = true;  // tell the client to go elsewhere for its next request
      outcome.response.keep_alive(false);
    }
    // The response write is bounded by the idle timeout (60 s when the listener has none): a
    // client that stops reading must not hold the connection forever. Over plain TCP the write
    // goes with the worker's other writes of this loop turn, in one io_uring_enter()
    // (net/batched_send.h: each write to a sleeping wrk or browser thread is a wakeup that can
    // preempt the proxy), or at once where io_uring is unavailable (net/send_now.h); the
    // deadline is set only when some of it must wait.
    const auto write_timeout = cache.settings.idle_timeout.count() > 0 ? cache.settings.idle_timeout
                                                                       : std::chrono::milliseconds(60000);
    http::writeResponseHead(outcome.response, outcome.raw_fields.lines, head);
    const size_t head_bytes = head.size();
    std::tuple<beast::error_code, size_t> wrote;
    bool gathered = true;
    if constexpr (net::kIsTls<Stream>) {
      client.deadline.expiresAfter(write_timeout);
      // Asio's TLS stream writes one buffer per TLS record: a small body is copied behind the
      // head so both travel in one record (one write, one syscall).
      if (outcome.response.body().size() <= kCoalesceTlsBytes) {
        head.append(outcome.response.body());
        wrote = co_await asio::async_write(client.stream, asio::buffer(head), kNoThrow);
        gathered = false;
      }
    }
    if (gathered) {
      const std::array<asio::const_buffer, 2> message{asio::buffer(head),
                                                      asio::buffer(outcome.response.body())};
      beast::error_code ec;
      size_t sent = 0;
      if constexpr (!net::kIsTls<Stream>) {
        if (worker.sender().available()) {  // with the turn's other writes (net/batched_send.h)
          auto [batch_ec, batch_sent] =
              co_await net::asyncBatchedSend(worker.sender(), client.socket(), message, kNoThrow);
          ec = batch_ec;
          sent = batch_sent;
        } else {
          sent = net::sendNow(client.socket().native_handle(), message, ec);
        }
      }
      if (!ec && sent < asio::buffer_size(message)) {
        if constexpr (!net::kIsTls<Stream>) client.deadline.expiresAfter(write_timeout);
        auto [write_ec, written] = co_await asio::async_write(client.stream, net::unsent(message, sent), kNoThrow);
        ec = write_ec;
        sent += written;
      }
      wrote = {ec, sent};
    }
    const auto [write_ec, written] = wrote;
    client.deadline.expiresNever();
    if (outcome.stats != nullptr) {
      outcome.stats->record(worker.index(), static_cast<int>(outcome.response.result_int()),
                            std::chrono::duration<double>(Clock::now() - started).count());
    }
    if (ctx.logs()) {
      logRequest(worker, ctx, sv(request.method_string()), ctx.original_target,
                 static_cast<int>(outcome.response.result_int()),
                 written > head_bytes ? written - head_bytes : 0, started, ctx.client_address);
    }
    if (outcome.tunnel && !write_ec) {
      worker.stats().downstream_upgrades_total->Increment();
      // A listener without an idle timeout still bounds a silent tunnel (a day), so an abandoned
      // one cannot hold two sockets forever.
      using TunnelIdle = std::chrono::steady_clock::duration;
      const TunnelIdle tunnel_idle = settings.idle_timeout.count() > 0
                                         ? TunnelIdle(settings.idle_timeout)
                                         : TunnelIdle(std::chrono::hours(24));
      co_await runTunnel(client, buffer, std::move(outcome.tunnel), tunnel_idle);
      co_return false;  // the tunnel ended both directions itself
    }
    if (write_ec) co_return false;
    if (outcome.close) co_return true;
  }
}

// The TLS handshake, bounded by the listener's header timeout (the head's deadline starts at
// accept, so it covers the handshake too) or 10 s without one. Counted on the listener's TLS
// stats; a failure is logged at debug level only (scanners and broken clients are routine).
net::Awaitable<bool> handshake(Worker& worker, net::TimedTlsStream& client,
                               const tls::ServerContext& context, const RouteCache& cache,
                               ConnectionInfo& connection) {
  const std::chrono::milliseconds bound = cache.settings.header_timeout.count() > 0
                                              ? cache.settings.header_timeout
                                              : std::chrono::milliseconds(10000);
  client.deadline.expiresAt(connection.accepted + bound);
  std::optional<Worker::IdleWait> idle(std::in_place, worker, client.socket());  // a drain may cut a handshake
  auto [ec] = co_await client.stream.async_handshake(net::TlsStream::server, kNoThrow);
  idle.reset();
  client.deadline.expiresNever();
  if (ec) {
    const tls::HandshakeFailure reason = tls::classifyHandshakeError(ec, client.deadline.expired());
    context.stats().handshakeFailed(reason);
    PORTICO_LOG(kDebug, "TLS handshake from ", connection.client_ip, " failed (",
                tls::handshakeFailureName(reason), "): ", ec.message());
    co_return false;
  }
  SSL* ssl = client.stream.native_handle();
  context.stats().handshakeDone(SSL_version(ssl));
  connection.scheme = "https";
  connection.client_cert_subject = tls::verifiedPeerSubject(ssl);
  co_return true;
}

// A connection on a TLS listener: handshake, requests, close_notify when the proxy closes.
net::Awaitable<void> serveTls(Worker& worker, net::Socket socket, const std::string& listener_name,
                              RouteCache& cache, ConnectionInfo& connection) {
  // The listener's context as of this accept: a certificate reload affects later connections.
  const tls::ServerContext::SharedPtr context = cache.listener->tls->current();
  net::TimedTlsStream client(std::move(socket), context->asioContext());
  bool goodbye = false;
  if (co_await handshake(worker, client, *context, cache, connection)) {
    goodbye = co_await serveRequests(worker, client, listener_name, cache, connection);
  }
  if (goodbye && client.socket().is_open()) {
    client.deadline.expiresAfter(std::chrono::seconds(1));
    co_await net::sendCloseNotify(client.stream);
  }
  beast::error_code ec;
  client.socket().shutdown(net::Socket::shutdown_send, ec);
  client.socket().close(ec);
}

}  // namespace

net::Awaitable<void> runHttpSession(Worker& worker, net::Socket socket, std::string listener_name) {
  ConnectionInfo connection;
  connection.accepted = Clock::now();
  beast::error_code ec;
  socket.set_option(asio::ip::tcp::no_delay(true), ec);
  const auto remote = socket.remote_endpoint(ec);
  connection.client_ip = ec ? std::string("unknown") : remote.address().to_string();
  worker.stats().downstream_connections_active->Increment();
  worker.stats().downstream_connections_total->Increment();
  worker.connectionOpened();
  // Plaintext or TLS: what the listener is in the worker's snapshot at accept (a new listener's
  // sockets are handed over after its snapshot, so it is always found). A listener removed
  // meanwhile is served in plaintext, which answers its requests 503 listener_draining.
  const config::SnapshotPtr& snapshot = worker.snapshot();
  const config::ListenerConfig* listener = snapshot ? snapshot->listener(listener_name) : nullptr;
  RouteCache cache;
  cache.tls = listener != nullptr && listener->tls != nullptr;
  refreshCache(worker, listener_name, cache);
  if (cache.tls) {
    co_await serveTls(worker, std::move(socket), listener_name, cache, connection);
  } else {
    // The connection's deadline is lazy (net/connection_deadline.h): setting it per read or
    // write only stores a time; one timer per connection enforces it.
    net::TimedSocket client(std::move(socket));
    co_await serveRequests(worker, client, listener_name, cache, connection);
    client.socket().shutdown(net::Socket::shutdown_send, ec);
    client.socket().close(ec);
  }
  worker.stats().downstream_connections_active->Decrement();
  worker.connectionClosed();
}

}  // namespace portico::dp::listener
