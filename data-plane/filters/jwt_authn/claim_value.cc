#include "data-plane/filters/jwt_authn/claim_value.h"

#include <boost/json/value.hpp>

#include <charconv>
#include <cmath>

namespace portico::dp::filters::jwt_authn {

namespace {

bool safeHeaderValue(const std::string& text) {
  if (text.size() > kMaxClaimHeaderBytes) return false;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte < 0x20 && c != '\t') || byte == 0x7f) return false;
  }
  return true;
}

}  // namespace

std::optional<std::string> claimHeaderValue(const boost::json::value& value) {
  std::string text;
  switch (value.kind()) {
    case boost::json::kind::string:
      text.assign(value.get_string().data(), value.get_string().size());
      break;
    case boost::json::kind::int64:
      text = std::to_string(value.get_int64());
      break;
    case boost::json::kind::uint64:
      text = std::to_string(value.get_uint64());
      break;
    case boost::json::kind::double_: {
      const double d = value.get_double();
      double whole = 0;
      if (std::isfinite(d) && std::modf(d, &whole) == 0 && std::fabs(d) < 9007199254740992.0) {  // 2^53
        text = std::to_string(static_cast<int64_t>(d));
      } else {
        char buffer[64];
        const auto result = std::to_chars(buffer, buffer + sizeof buffer, d);  // shortest round trip
        text.assign(buffer, result.ptr);
      }
      break;
    }
    case boost::json::kind::bool_:
      text = value.get_bool() ? "true" : "false";
      break;
    default:
      return std::nullopt;
  }
  if (text.empty() || !safeHeaderValue(text)) return std::nullopt;
  return text;
}

}  // namespace portico::dp::filters::jwt_authn
