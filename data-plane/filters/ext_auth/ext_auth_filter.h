#pragma once

// External authorization (portico.filters.ext_auth.v1.ExtAuth), the way nginx's auth_request,
// Traefik's forwardAuth and AWS's request authorizers work: before the request goes upstream,
// the gateway asks an HTTP(S) service whether it may, sending the request's headers (no body)
// plus X-Forwarded-Method, -Uri, -Host and -For, with GET to the configured URL.
// - 2xx: allowed. The answer's `upstream_headers` are copied onto the upstream request (a
//   client's own copies of those headers are always dropped first, allowed or not).
// - 401 / 403: refused with that status (the answer's WWW-Authenticate is passed on).
// - anything else, no answer, or no answer within `timeout` (default 1 s): the service failed.
//   Fail closed by default (503 authorizer_unavailable); with fail_open the request goes on
//   without the upstream headers.
// With `identity_headers`, a request lacking one is refused (401) without calling the service,
// and with `cache_ttl` an allowed answer is cached by those headers' values for that long, per
// worker (no lock), at most 10,000 identities per worker; a new snapshot starts empty caches.
// Refusals and failures are never cached.

#include "data-plane/http/filter.h"

namespace portico::dp::filters::ext_auth {

// Registered for type.googleapis.com/portico.filters.ext_auth.v1.ExtAuth.
const http::FilterFactory& extAuthFactory();

}  // namespace portico::dp::filters::ext_auth
