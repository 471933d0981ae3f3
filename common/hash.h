#pragma once

// Content hashes used as xDS resource versions and for API-key digests.

#include <string>
#include <string_view>

namespace portico {

// Lower-case hex SHA-256 of the bytes.
std::string sha256Hex(std::string_view bytes);

// The first 16 hex digits of the SHA-256: a compact, stable content version.
std::string contentVersion(std::string_view bytes);

}  // namespace portico
