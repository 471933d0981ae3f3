#pragma once

// X-Forwarded-For, X-Forwarded-Proto and Via on the way upstream, and the request's client
// address, with Envoy's HttpConnectionManager semantics (use_remote_address,
// xff_num_trusted_hops, via):
// - Client address. use_remote_address (Portico's control plane always sets it: the proxy is
//   the edge): the TCP peer when xff_trusted_hops is 0, else the xff_trusted_hops-th address
//   from the right of the X-Forwarded-For the request arrived with. Without
//   use_remote_address: the (hops+1)-th from the right. An X-Forwarded-For that is too short,
//   or whose chosen entry is not an IP address, gives the TCP peer. Several X-Forwarded-For
//   fields count as one comma-separated list, in order.
// - X-Forwarded-For: with use_remote_address the peer is appended (the fields merged into one);
//   without it the header is left alone. A request without one gets the peer as an added field
//   (added_fields.h), and so does X-Forwarded-Proto: the common case costs no field insert.
// - X-Forwarded-Proto: the listener's scheme, unless the peer is trusted (hops > 0, or
//   use_remote_address off) and sent "http" or "https", which is then kept.
// - Via: the configured value appended (after a comma) to the request's and the response's
//   Via; nothing when not configured.

#include <boost/beast/http/fields.hpp>

#include <cstdint>
#include <string>
#include <string_view>

#include "data-plane/http/added_fields.h"
#include "data-plane/router/message.h"

namespace portico::dp::http {

struct ForwardingOptions {
  uint32_t xff_trusted_hops = 0;
  bool use_remote_address = false;  // Envoy's default when the field is absent
  std::string via;                  // empty: no Via
};

// The client address of a request from `peer` (an IP literal) with `fields`.
std::string clientAddress(const router::Fields& fields, std::string_view peer,
                          const ForwardingOptions& options);

// Sets X-Forwarded-For, X-Forwarded-Proto and Via on a request about to go upstream: in
// `fields` where the client sent the field, else in `added` (which then points into `peer` and
// `scheme`). `scheme`: "http" or "https" (the listener's).
void setForwardingHeaders(router::Fields& fields, std::string_view peer,
                          std::string_view scheme, const ForwardingOptions& options,
                          AddedFields& added);

// Appends the configured Via value to a response (no-op when none is configured).
void appendVia(router::Fields& fields, const ForwardingOptions& options);

// A Via value Portico accepts from configuration: 1..256 visible ASCII characters and inner
// spaces (no control characters, no leading or trailing space).
bool validViaValue(std::string_view value);

}  // namespace portico::dp::http
