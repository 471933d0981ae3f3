#pragma once

// Reading and removing one parameter of a raw query string ("a=1&b=2", without '?').
// Names and values are compared percent-decoded ('+' is a space, as in forms).

#include <optional>
#include <string>
#include <string_view>

namespace portico::dp::http {

// The decoded value of the first parameter called `name`; nullopt when there is none
// ("?name" alone gives an empty value).
std::optional<std::string> findQueryParam(std::string_view query, std::string_view name);

// `query` without any parameter called `name` (the others keep their order and encoding).
std::string removeQueryParam(std::string_view query, std::string_view name);

}  // namespace portico::dp::http
