#pragma once

// API-key authentication against the listener's consumers (Kong's key-auth). The key comes
// from a header (default x-api-key) or, when configured, a query parameter; the proxy only
// ever holds SHA-256 digests of keys (http/consumer.h), so it hashes the presented key and
// looks the digest up. On success the consumer becomes the request's (FilterState::consumer:
// its groups feed authorization, its plugin overrides apply to the filters after this one) and
// its name goes upstream in `x-portico-consumer`; with hide_credentials (the default) the key
// itself does not. No key, or a key no consumer holds → 401 with WWW-Authenticate.
// A route's override (typed_per_filter_config) is a whole KeyAuth message.

#include "data-plane/http/filter.h"

namespace portico::dp::filters::key_auth {

inline constexpr char kConsumerHeader[] = "x-portico-consumer";

// Registered for type.googleapis.com/portico.filters.key_auth.v1.KeyAuth.
const http::FilterFactory& keyAuthFactory();

}  // namespace portico::dp::filters::key_auth
