#pragma once

// The HTTP filter chain's interfaces (Envoy's StreamDecoderFilter/StreamEncoderFilter, cut to
// what an HTTP/1.1 proxy with whole-message bodies needs).
//
// A listener's HttpConnectionManager lists its http_filters; for each one the snapshot compiler
// asks the FilterFactory registered for its type URL (filters/builtin_filters.h) to build an
// immutable HttpFilter from the filter-level config, and a FilterRouteConfig from each per-route
// or per-virtual-host override (typed_per_filter_config). Each route ends up with the list of
// filters enabled on it, each with its effective per-route config (http/active_filter.h).
//
// Threads: factories run on the xDS thread while a snapshot is compiled. HttpFilter and
// FilterRouteConfig objects are immutable afterwards and shared by every worker: all per-request
// state lives in FilterState, which belongs to the request's worker. A filter that needs
// per-worker state (a cache, a connection) keeps one slot per worker, indexed by
// FilterState::worker_index, and touches only its own slot. An async filter finds the worker's
// executor with `co_await boost::asio::this_coro::executor`.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "data-plane/net/executor.h"
#include "data-plane/router/message.h"

namespace boost::json {
class object;
}

namespace google::protobuf {
class Any;
}

namespace portico::dp::config {
struct ListenerConfig;  // config/snapshot.h
}

namespace portico::dp::router {
struct Route;  // router/route_table.h
}

namespace portico::dp::filters::cache {
class ResponseCache;  // filters/cache/response_cache.h
}

namespace portico::dp::redis {
class ClientRegistry;  // redis/client.h
}

namespace portico::metrics {
class CounterFamily;
}

namespace portico::dp::http {

struct Consumer;  // http/consumer.h
class ConsumerTable;
class HttpFilter;

// What a filter's decodeHeaders decided.
enum class FilterStatus {
  kContinue,    // go on with the next filter
  kLocalReply,  // the filter filled FilterState::reply: answer the client with it, stop here
  kAsync,       // the filter must wait (network, a key fetch): call decodeHeadersAsync
};

// A local answer a filter gives instead of the upstream's (401, 403, a CORS preflight, a
// cached response).
struct LocalReply {
  int status = 0;
  std::string code;     // the JSON body's "error" (http/local_reply.h); empty: no body
  std::string message;  // the JSON body's "message"
  std::vector<std::pair<std::string, std::string>> headers;  // e.g. WWW-Authenticate
  // A whole response to send instead (status, headers, body: a cache hit); `status` then
  // repeats its status (for portico_proxy_filter_replies_total), code and message are unused. The session still adds the gateway's own headers (request id,
  // Via) and the framing (Content-Length, Connection), as for a proxied response.
  std::unique_ptr<router::Response> response;
};

// What a filter keeps about one request between its decodeHeaders and its encodeHeaders (the
// cache's pending lookup). Owned by the request's FilterState: destroyed when the request ends,
// whether or not the filter's encodeHeaders ran, on the request's worker.
class FilterRequestData {
 public:
  virtual ~FilterRequestData() = default;
};

// A filter's compiled per-route (or per-virtual-host, or per-consumer) config. Each filter
// downcasts to its own type.
class FilterRouteConfig {
 public:
  virtual ~FilterRouteConfig() = default;
};
using FilterRouteConfigConstSharedPtr = std::shared_ptr<const FilterRouteConfig>;

// One request as the filters see it, and the identity they establish. Lives in the client
// connection's coroutine frame (reset per request), so filling it allocates nothing per request
// beyond the strings a filter chooses to keep.
struct FilterState {
  router::Request* request = nullptr;
  std::string_view path;            // normalized, without the query (points into the request)
  std::string_view query;           // without '?'
  std::string_view client_address;  // the XFF-aware client address (http/forwarded_headers.h)
  std::string_view route_name;
  const router::Route* route = nullptr;              // the matched route (its timeout, name)
  const config::ListenerConfig* listener = nullptr;  // its listener (request id header, Via)
  size_t worker_index = 0;
  bool tls = false;                 // the request came over TLS

  // A CORS preflight (OPTIONS with Origin and Access-Control-Request-Method): the route was
  // matched with the requested method. Filters other than CORS let it through untouched when
  // their config says so (Envoy's bypass_cors_preflight); if CORS does not answer it, the
  // request is matched again as the plain OPTIONS it is.
  bool cors_preflight = false;

  // Identity. The consumer (key-auth, or a JWT claim naming one); its plugin overrides replace
  // the route's config for the filters after the one that identified it (Kong's precedence).
  const Consumer* consumer = nullptr;
  // The verified JWT's payload (jwt_authn), for authorization rules and claim headers.
  std::shared_ptr<const boost::json::object> jwt_claims;
  std::string jwt_provider;  // the provider that verified it

  // Set by a filter that returns kLocalReply.
  LocalReply reply;
  // The per-route config each filter decoded with (by chain index), for its encodeHeaders.
  static constexpr size_t kMaxFilters = 32;
  uint32_t decoded = 0;  // bit i: the filter at chain index i ran decodeHeaders
  const FilterRouteConfig* decoded_config[kMaxFilters] = {};
  // Added to the response, local or proxied, after the encode filters ran (RateLimit-*,
  // X-Quota-*). A name is a string literal (or lives as long as the snapshot): it is not copied,
  // so that the headers of every request allocate nothing for their names.
  std::vector<std::pair<std::string_view, std::string>> response_headers;
  // Per-request data of the filters that keep some, by filter (one HttpFilter object per chain
  // position). Few filters do: a short vector searched linearly.
  std::vector<std::pair<const HttpFilter*, std::unique_ptr<FilterRequestData>>> filter_data;

  // `filter`'s data for this request, or null.
  FilterRequestData* dataFor(const HttpFilter* filter) const;
  void setData(const HttpFilter* filter, std::unique_ptr<FilterRequestData> data);

  // Clears per-request state (destroying the filters' data) but keeps allocated capacity.
  void reset();
};

// One filter of a listener's chain. Immutable; shared by all workers (see the file comment).
class HttpFilter {
 public:
  virtual ~HttpFilter() = default;

  // The request's headers (and its whole body, already read), in chain order, on a worker.
  // `config`: the route's per-route config for this filter (or the consumer's override), or null
  // when the route has none (the filter-level config applies). Must not block.
  virtual FilterStatus decodeHeaders(FilterState& state, const FilterRouteConfig* config) const = 0;

  // Called only after decodeHeaders returned kAsync, on the same worker: the part that waits.
  // Returns kContinue or kLocalReply, never kAsync. The default (for filters that never return
  // kAsync) answers 500.
  virtual net::Awaitable<FilterStatus> decodeHeadersAsync(FilterState& state,
                                                          const FilterRouteConfig* config) const;

  // True for a filter that answers CORS preflights (the CORS filter). While a preflight is
  // being offered (FilterState::cors_preflight), only such filters run.
  virtual bool answersCorsPreflight() const { return false; }

  // The response on its way to the client, in reverse chain order, for every filter whose
  // decodeHeaders ran for this request (also when it or a later filter answered locally, and
  // for the gateway's own error replies).
  virtual void encodeHeaders(FilterState& state, router::Response& response,
                             const FilterRouteConfig* config) const {
    (void)state;
    (void)response;
    (void)config;
  }
};
using HttpFilterConstSharedPtr = std::shared_ptr<const HttpFilter>;

class JwksRegistry;         // filters/jwt_authn: remote key sets, kept across snapshots
class RateLimiterRegistry;  // filters/rate_limit: local rate-limit counters, kept across snapshots

// What a factory may use besides its own config. Filled by the snapshot compiler.
struct FilterBuildContext {
  // The listener's consumers (portico.filters.consumers.v1.Consumers); null when it has none.
  // A filter that looks consumers up keeps this pointer: it keeps the table alive as long as
  // the snapshot holding the filter.
  std::shared_ptr<const ConsumerTable> consumers;
  // The listener's JWT companion policy (portico.filters.jwt_policy.v1.JwtPolicy), packed; null
  // when it has none.
  const google::protobuf::Any* jwt_policy = nullptr;
  size_t worker_count = 1;
  // Process-wide state kept across snapshots (null in unit tests that do not need it).
  JwksRegistry* jwks = nullptr;
  RateLimiterRegistry* rate_limits = nullptr;
  // The proxy's response cache (one per process, shared by every worker and listener, owned by
  // main); null: each cache filter keeps a private one (unit tests).
  filters::cache::ResponseCache* cache = nullptr;
  // Connections to the Redis servers of rate limits and quotas with policy REDIS and of caches
  // with backend REDIS (one per worker per server, owned by main, kept across snapshots); null:
  // each filter gets a private client (unit tests).
  redis::ClientRegistry* redis = nullptr;
  // portico_proxy_filter_replies_total{filter,status}: the answers filters give instead of the
  // upstream (http/filter_replies.h); null: not counted.
  std::shared_ptr<metrics::CounterFamily> filter_replies;
};

// Builds one filter type from its protos. Registered by type URL in filters/builtin_filters.cc.
// Runs on the xDS thread. Errors name the offending field relative to the config message
// (the compiler prefixes the listener, filter and route).
class FilterFactory {
 public:
  virtual ~FilterFactory() = default;

  // HttpFilter.typed_config → the filter.
  virtual absl::StatusOr<HttpFilterConstSharedPtr> createFilter(const google::protobuf::Any& config,
                                                                const FilterBuildContext& context) const = 0;

  // A typed_per_filter_config value (unwrapped from a FilterConfig) → per-route config. The
  // default refuses: the filter has no per-route config.
  virtual absl::StatusOr<FilterRouteConfigConstSharedPtr> createRouteConfig(
      const google::protobuf::Any& config, const FilterBuildContext& context) const;

  // True when the filter acts only where a route or virtual host gives it a policy (CORS): a
  // route without one does not run it.
  virtual bool needsRouteConfig() const { return false; }
};

}  // namespace portico::dp::http
