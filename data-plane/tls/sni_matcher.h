#pragma once

// Picks a listener's certificate for the server name a client sent (SNI, RFC 6066 §3), the way
// Envoy and nginx do: an exact match on one of a certificate's DNS names first, then a wildcard
// name ("*.example.com" covers exactly one more label: "a.example.com", not "example.com" nor
// "a.b.example.com"), and no match (or no server name) means the first certificate. A
// certificate's names are its DNS subjectAltNames, or its subject CN when it has none (legacy
// certificates). Names compare case-insensitively; a trailing dot is ignored. When two
// certificates claim a name, the earlier one (configuration order) wins.
//
// Built once per TLS context on the xDS / reload thread; find() is called from OpenSSL's
// handshake callback on any worker and only reads.

#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"

namespace portico::dp::tls {

class SniMatcher {
 public:
  // `names[i]`: the DNS names of certificate i.
  explicit SniMatcher(const std::vector<std::vector<std::string>>& names);
  SniMatcher() = default;

  // The certificate for `server_name`, or -1 when none matches (the caller uses the first).
  int find(std::string_view server_name) const;

  // Lower case, without a trailing dot: the form names are compared in.
  static std::string normalize(std::string_view name);

 private:
  absl::flat_hash_map<std::string, int> exact_;
  absl::flat_hash_map<std::string, int> wildcard_;  // "example.com" for "*.example.com"
};

}  // namespace portico::dp::tls
