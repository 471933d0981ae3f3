#pragma once

// Bridges std::string_view and Debian's Abseil, which is built with its own absl::string_view
// (ABSL_OPTION_USE_STD_STRING_VIEW 0): the two do not convert implicitly.

#include <string>
#include <string_view>
#include <type_traits>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace portico {

inline absl::string_view av(std::string_view s) { return absl::string_view(s.data(), s.size()); }
inline std::string_view sv(absl::string_view s) { return std::string_view(s.data(), s.size()); }

namespace strings_internal {
template <typename T>
decltype(auto) catArg(const T& arg) {
  if constexpr (std::is_convertible_v<const T&, std::string_view> &&
                !std::is_convertible_v<const T&, absl::string_view>) {
    return av(std::string_view(arg));
  } else {
    return (arg);
  }
}
}  // namespace strings_internal

// absl::StrCat that also takes std::string_view arguments.
template <typename... Args>
std::string cat(const Args&... args) {
  return absl::StrCat(strings_internal::catArg(args)...);
}

}  // namespace portico
