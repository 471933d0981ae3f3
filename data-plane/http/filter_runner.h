#pragma once

// Runs a route's filters over one request. The synchronous part is a plain function, so a
// request whose filters never wait costs no coroutine frame; the session co_awaits
// decodeHeadersAsync only for the filter that asked for it (FilterStatus::kAsync):
//
//   size_t next = 0;
//   FilterStatus status = runDecoders(filters, state, next);
//   while (status == FilterStatus::kAsync) {
//     status = co_await asyncDecoder(filters, state, next);   // advances next
//     if (status == FilterStatus::kContinue) status = runDecoders(filters, state, next);
//   }
//
// Runs on the request's worker.

#include <cstddef>

#include "data-plane/http/active_filter.h"

namespace portico::dp::http {

// The config `filter` runs with for this request and whether it runs at all: the consumer's
// override when the request has a consumer holding one, else the route's.
const FilterRouteConfig* effectiveConfig(const ActiveFilter& filter, const FilterState& state, bool& enabled);

// Runs decodeHeaders from filters[next] on; stops at the first filter that does not continue.
// On kAsync, `next` is that filter's index (decodeHeadersAsync is due); otherwise `next` is one
// past the last filter that ran. Records each filter that ran (FilterState::decoded).
FilterStatus runDecoders(const ActiveFilters& filters, FilterState& state, size_t& next);

// decodeHeadersAsync of filters[next] (after runDecoders returned kAsync); advances `next`.
net::Awaitable<FilterStatus> asyncDecoder(const ActiveFilters& filters, FilterState& state, size_t& next);

// encodeHeaders of every filter that decoded this request, in reverse order, then the
// response headers filters asked for (FilterState::response_headers).
void runEncoders(const ActiveFilters& filters, FilterState& state, router::Response& response);

}  // namespace portico::dp::http
