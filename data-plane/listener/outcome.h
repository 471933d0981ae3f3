#pragma once

// What the session answers a request with: a response and what to do with the connection after
// it, built from a local decision (an error, a direct response, a redirect, a filter's reply) or
// from the upstream's result. Every builder applies the gateway's own response headers and the
// framing (finishResponse).

#include <string>
#include <string_view>

#include "data-plane/http/filter.h"
#include "data-plane/http/raw_fields.h"
#include "data-plane/listener/request_context.h"
#include "data-plane/router/message.h"
#include "data-plane/router/route_stats.h"
#include "data-plane/router/route_table.h"
#include "data-plane/router/upstream_request.h"
#include "data-plane/upstream/conn_pool.h"

namespace portico::dp::listener {

struct Outcome {
  router::Response response;
  // A proxied response's upstream header lines, written before response's own fields
  // (http/raw_fields.h); empty once adopted into them, and for local answers.
  http::RawFields raw_fields;
  router::RouteStats* stats = nullptr;
  bool close = false;  // close the client connection after this response
  // A 101 answer to a WebSocket upgrade: after the response, the connection becomes a tunnel to
  // this upstream connection (tunnel.h).
  upstream::UpstreamConnectionPtr tunnel;
};

// The headers the gateway puts on every response: the request id (when echoed) and Via.
void setGatewayResponseHeaders(router::Response& response, const RequestContext& ctx);

// The gateway's JSON error reply (http/local_reply.h).
Outcome localOutcome(int status, std::string_view code, std::string_view message, const RequestContext& ctx,
                     const router::Request& request, router::RouteStats* stats, bool close = false);

// 1xx, 204 and 304 never carry a body.
bool bodilessStatus(unsigned status);

// Hop-by-hop headers out, the gateway's headers in, an exact Content-Length (unless
// `length_set`: the upstream's header lines carry it), the client's HTTP version and persistence.
void finishResponse(router::Response& response, const router::Request& request, const RequestContext& ctx,
                    bool keep_alive, bool length_set = false);

// RFC 9110: no body after a HEAD request or with 1xx/204/304.
void dropForbiddenBody(router::Response& response, bool head_request);

Outcome directResponse(const router::Route& route, const router::Request& request, const RequestContext& ctx);
Outcome redirectResponse(const router::Route& route, const router::Request& request, std::string_view path,
                         std::string_view query, const RequestContext& ctx);
void upstreamOutcome(router::UpstreamResult&& result, const router::Route& route, const router::Request& request,
                     bool client_keep_alive, const RequestContext& ctx, Outcome& out);
Outcome filterReplyOutcome(http::LocalReply& reply, const RequestContext& ctx, const router::Request& request,
                           router::RouteStats* stats);

}  // namespace portico::dp::listener
