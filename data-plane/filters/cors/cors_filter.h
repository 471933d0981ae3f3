#pragma once

// CORS with Envoy's semantics (envoy.filters.http.cors): the filter-level config (Cors) is
// empty; each route or virtual host carries a CorsPolicy. Only requests with an Origin the
// policy allows get CORS headers:
// - a preflight (OPTIONS + Origin + Access-Control-Request-Method) is answered at the gateway,
//   200 with Access-Control-Allow-Origin (the request's origin), -Methods, -Headers, -Max-Age
//   and -Credentials as configured; it is matched to the route the requested method would take
//   (listener/http_session.cc), and one from an origin the policy does not allow is not
//   answered: it goes on as the plain OPTIONS request it is;
// - any other request gets Access-Control-Allow-Origin, -Credentials and -Expose-Headers on
//   its response, whatever produced the response (upstream, local reply, another filter).
// Responses that depend on Origin carry `Vary: Origin`, so caches keep one per origin.

#include "data-plane/http/filter.h"

namespace portico::dp::filters::cors {

// Registered for type.googleapis.com/envoy.extensions.filters.http.cors.v3.Cors.
const http::FilterFactory& corsFactory();

}  // namespace portico::dp::filters::cors
