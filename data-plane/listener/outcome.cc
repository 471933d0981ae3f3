#include "data-plane/listener/outcome.h"

#include <algorithm>
#include <string>

#include "common/strings.h"
#include "data-plane/http/forwarded_headers.h"
#include "data-plane/http/local_reply.h"
#include "data-plane/http/raw_fields.h"
#include "data-plane/http/wire_writer.h"
#include "data-plane/http/hop_headers.h"

namespace portico::dp::listener {

namespace bhttp = boost::beast::http;
using router::Request;
using router::Response;

namespace {

boost::beast::string_view bsv(std::string_view s) { return boost::beast::string_view(s.data(), s.size()); }

}  // namespace

void setGatewayResponseHeaders(Response& response, const RequestContext& ctx) {
  if (ctx.echo_id && !ctx.request_id.empty()) {
    response.set(bsv(ctx.id_header), ctx.request_id);
  }
  // Envoy's HCM `via` goes on every response, local ones included.
  if (ctx.listener != nullptr) {
    http::appendVia(response, ctx.listener->http.forwarding);
  }
}


Outcome localOutcome(int status, std::string_view code, std::string_view message,
                     const RequestContext& ctx, const Request& request, router::RouteStats* stats,
                     bool close) {
  Outcome out;
  out.close = close || !request.keep_alive();
  out.response =
      http::localReply(status, code, message, ctx.request_id, request.version(), !out.close);
  setGatewayResponseHeaders(out.response, ctx);
  out.stats = stats;
  return out;
}

bool bodilessStatus(unsigned status) { return status == 204 || status == 304 || (status >= 100 && status < 200); }

void finishResponse(Response& response, const Request& request, const RequestContext& ctx,
                    bool keep_alive, bool length_set) {
  http::removeHopByHop(response);
  setGatewayResponseHeaders(response, ctx);
  const unsigned status = response.result_int();
  if (!length_set && !bodilessStatus(status) &&
      (request.method() != bhttp::verb::head || !response.body().empty())) {
    // The body was read (or made) whole, so it goes out with an exact length. A proxied HEAD
    // answer keeps the upstream's Content-Length: it describes the GET body.
    http::setExactLength(response, response.body().size());
  }
  response.version(request.version());
  http::setPersistence(response, response.version(), keep_alive);  // no Connection field left
}

// RFC 9110: no body after a HEAD request or with 1xx/204/304 (Content-Length of a HEAD answer
// stays: it describes the body a GET would get). Anything else would desynchronise the
// connection for the next response.
void dropForbiddenBody(Response& response, bool head_request) {
  if (bodilessStatus(response.result_int())) {
    response.erase(bhttp::field::content_length);
    response.erase(bhttp::field::transfer_encoding);
    response.body().clear();
  } else if (head_request) {
    response.body().clear();
  }
}

Outcome directResponse(const router::Route& route, const Request& request,
                       const RequestContext& ctx) {
  Outcome out;
  out.stats = route.stats;
  out.close = !request.keep_alive();
  out.response = Response{static_cast<bhttp::status>(route.direct_status), request.version()};
  out.response.set(bhttp::field::server, "portico");
  out.response.body() = route.direct_body;
  route.response_headers.apply(out.response);
  finishResponse(out.response, request, ctx, !out.close);
  return out;
}

Outcome redirectResponse(const router::Route& route, const Request& request, std::string_view path,
                         std::string_view query, const RequestContext& ctx) {
  const router::Redirect& redirect = route.redirect;
  std::string host(redirect.host.empty() ? std::string_view(request[bhttp::field::host]) : redirect.host);
  if (redirect.port != 0) {
    host = cat(host.substr(0, host.rfind(':') == std::string::npos ? host.size() : host.rfind(':')), ":", redirect.port);
  }
  std::string location_path;
  if (!redirect.path.empty()) {
    location_path = redirect.path;
  } else if (!redirect.prefix_rewrite.empty() && route.path_match == router::Route::PathMatch::kPrefix) {
    location_path = cat(redirect.prefix_rewrite, path.substr(std::min(route.path.size(), path.size())));
  } else {
    location_path = std::string(path);
  }
  if (!redirect.strip_query && !query.empty() && location_path.find('?') == std::string::npos) {
    location_path = cat(location_path, "?", query);
  }
  Outcome out;
  out.stats = route.stats;
  out.close = !request.keep_alive();
  out.response = Response{static_cast<bhttp::status>(redirect.status), request.version()};
  out.response.set(bhttp::field::server, "portico");
  out.response.set(bhttp::field::location,
                   cat(redirect.scheme.empty() ? ctx.scheme : redirect.scheme, "://", host, location_path));
  route.response_headers.apply(out.response);
  finishResponse(out.response, request, ctx, !out.close);
  return out;
}

// The answer to a proxied request, from its upstream result. A plain function, not part of the
// handle() coroutine: the Outcome temporaries of every case would otherwise all live in its
// frame, allocated per request (a frame over 1 KiB is never recycled by Asio's allocator). A
// proxied answer is built in `out` itself, without a temporary to move.
void upstreamOutcome(router::UpstreamResult&& result, const router::Route& route, const Request& request,
                     bool client_keep_alive, const RequestContext& ctx, Outcome& out) {
  switch (result.outcome) {
    case router::UpstreamOutcome::kOk: {
      out.stats = route.stats;
      out.close = !client_keep_alive;
      out.response = std::move(result.response);
      out.raw_fields = std::move(result.raw_fields);
      // The upstream's header lines stay as received unless something reads or changes them.
      // Then they become fields first, so their order with the gateway's own is kept.
      if (!route.response_headers.empty() || result.tunnel || ctx.filter_state.decoded != 0) {
        http::adoptRawFields(out.raw_fields, out.response);
      } else if (ctx.echo_id && !ctx.request_id.empty()) {
        http::eraseRawField(out.raw_fields, ctx.id_header);  // the gateway's id replaces the upstream's
      }
      route.response_headers.apply(out.response);
      finishResponse(out.response, request, ctx, client_keep_alive, out.raw_fields.has_content_length);
      if (result.tunnel) {
        // 101: the client's connection carries WebSocket frames from now on, never another request.
        out.response.erase(bhttp::field::connection);
        http::setUpgradeHeaders(out.response);
        out.tunnel = std::move(result.tunnel);
        out.close = true;
      }
      return;
    }
    case router::UpstreamOutcome::kNoEndpoint:
      out = localOutcome(503, "no_healthy_upstream", result.detail, ctx, request, route.stats);
      return;
    case router::UpstreamOutcome::kConnectFailed:
      out = localOutcome(502, "upstream_connect_failed", result.detail, ctx, request, route.stats);
      return;
    case router::UpstreamOutcome::kConnectTimeout:
    case router::UpstreamOutcome::kTimeout:
      out = localOutcome(504, "upstream_timeout", result.detail, ctx, request, route.stats);
      return;
    case router::UpstreamOutcome::kReset:
      out = localOutcome(502, "upstream_reset", result.detail, ctx, request, route.stats);
      return;
    case router::UpstreamOutcome::kBadResponse:
    case router::UpstreamOutcome::kResponseTooLarge:
      out = localOutcome(502, "bad_upstream_response", result.detail, ctx, request, route.stats);
      return;
    case router::UpstreamOutcome::kOverloaded: {
      // Envoy's x-envoy-overloaded: the gateway, not the upstream, refused the request.
      out = localOutcome(503, "overloaded", result.detail, ctx, request, route.stats);
      out.response.set("x-portico-overloaded", "true");
      return;
    }
  }
  out = localOutcome(500, "internal", "unexpected upstream outcome", ctx, request, route.stats);
}

// A filter's local answer (FilterState::reply): a whole response (a cache hit) sent like a
// proxied one, the JSON error reply when it has a code, else a bodiless answer (a CORS
// preflight), with the headers the filter asked for.
Outcome filterReplyOutcome(http::LocalReply& reply, const RequestContext& ctx, const Request& request,
                           router::RouteStats* stats) {
  Outcome out;
  if (reply.response != nullptr) {
    out.stats = stats;
    out.close = !request.keep_alive();
    out.response = std::move(*reply.response);
    reply.response.reset();
    finishResponse(out.response, request, ctx, !out.close);
  } else if (!reply.code.empty()) {
    out = localOutcome(reply.status, reply.code, reply.message, ctx, request, stats);
  } else {
    out.stats = stats;
    out.close = !request.keep_alive();
    out.response = Response{static_cast<bhttp::status>(reply.status), request.version()};
    out.response.set(bhttp::field::server, "portico");
    finishResponse(out.response, request, ctx, !out.close);
  }
  for (const auto& [name, value] : reply.headers) out.response.set(bsv(name), value);
  return out;
}

}  // namespace portico::dp::listener
