#include "data-plane/http/hop_headers.h"

#include <string>

#include "absl/container/inlined_vector.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "common/strings.h"

namespace portico::dp::http {

namespace bhttp = boost::beast::http;
using router::Request;

namespace {

boost::beast::string_view bsv(std::string_view s) { return boost::beast::string_view(s.data(), s.size()); }

}  // namespace

// Hop-by-hop headers (RFC 9110 §7.6.1) never cross the proxy.
bool hopByHop(bhttp::field name) {
  switch (name) {
    case bhttp::field::connection:
    case bhttp::field::keep_alive:
    case bhttp::field::proxy_connection:
    case bhttp::field::te:
    case bhttp::field::trailer:
    case bhttp::field::upgrade:
      return true;
    default:
      return false;
  }
}

// One pass in field order by the parser's field code, instead of a lookup by name per
// hop-by-hop header (each a chain of case-insensitive compares; this ran twice per request).
void removeHopByHop(router::Fields& fields) {
  // Headers named in Connection are hop-by-hop too (every Connection field's tokens; rare, so
  // only collected when there are any but the usual close / keep-alive).
  absl::InlinedVector<std::string, 2> nominated;
  for (auto it = fields.begin(); it != fields.end();) {
    if (it->name() == bhttp::field::connection) {
      for (absl::string_view token : absl::StrSplit(av(it->value()), ',')) {
        token = absl::StripAsciiWhitespace(token);
        if (!token.empty() && !absl::EqualsIgnoreCase(token, "close") && !absl::EqualsIgnoreCase(token, "keep-alive")) {
          nominated.emplace_back(token);
        }
      }
    }
    it = hopByHop(it->name()) ? fields.erase(it) : std::next(it);
  }
  for (const std::string& name : nominated) fields.erase(bsv(name));
}

// A WebSocket handshake (RFC 6455 §4.1): GET with "Upgrade: websocket" and "upgrade" among the
// Connection tokens. Only WebSocket is passed through; any other Upgrade (h2c, TLS) is dropped
// with the other hop-by-hop headers and the request is proxied as a plain HTTP/1.1 request.
bool isWebSocketUpgrade(const Request& request) {
  if (request.method() != bhttp::verb::get || request.version() != 11) return false;
  auto upgrade = request.find(bhttp::field::upgrade);
  if (upgrade == request.end() || !absl::EqualsIgnoreCase(av(upgrade->value()), "websocket")) {
    return false;
  }
  auto connection = request.find(bhttp::field::connection);
  if (connection == request.end()) return false;
  for (absl::string_view token : absl::StrSplit(av(connection->value()), ',')) {
    if (absl::EqualsIgnoreCase(absl::StripAsciiWhitespace(token), "upgrade")) return true;
  }
  return false;
}

// Puts back the two hop-by-hop headers an upgrade needs on the next hop (after removeHopByHop).
void setUpgradeHeaders(router::Fields& fields) {
  fields.set(bhttp::field::connection, "Upgrade");
  fields.set(bhttp::field::upgrade, "websocket");
}

// Identity headers are set by the gateway only: a client must never be able to send them.
void removeIdentityHeaders(router::Fields& fields) {
  for (auto it = fields.begin(); it != fields.end();) {
    std::string_view name = it->name_string();
    if (absl::StartsWithIgnoreCase(av(name), "x-portico-") || absl::StartsWithIgnoreCase(av(name), "x-user-")) {
      it = fields.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace portico::dp::http
