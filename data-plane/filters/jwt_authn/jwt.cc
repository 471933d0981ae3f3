#include "data-plane/filters/jwt_authn/jwt.h"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/parse_options.hpp>
#include <boost/json/value.hpp>

#include <cmath>
#include <limits>

#include "data-plane/filters/jwt_authn/base64url.h"

namespace portico::dp::filters::jwt_authn {

namespace json = boost::json;

namespace {

constexpr size_t kMaxJsonDepth = 32;

json::parse_options parseOptions() {
  json::parse_options options;
  options.max_depth = kMaxJsonDepth;
  return options;
}

// RFC 7519 §2 NumericDate: a JSON number of seconds, possibly non-integer (truncated here).
bool numericDate(const json::value& value, std::optional<int64_t>& out) {
  constexpr double kMax = static_cast<double>(std::numeric_limits<int64_t>::max());
  if (value.is_int64()) {
    out = value.get_int64();
  } else if (value.is_uint64()) {
    const uint64_t v = value.get_uint64();
    out = v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) ? std::numeric_limits<int64_t>::max()
                                                                           : static_cast<int64_t>(v);
  } else if (value.is_double()) {
    const double v = value.get_double();
    if (!std::isfinite(v)) return false;
    out = v >= kMax ? std::numeric_limits<int64_t>::max() : v <= -kMax ? std::numeric_limits<int64_t>::min()
                                                                       : static_cast<int64_t>(v);
  } else {
    return false;
  }
  return true;
}

JwtStatus readHeader(std::string_view text, Jwt& out) {
  // The header is small: parse it into a stack buffer, no heap allocation.
  unsigned char buffer[2048];
  json::monotonic_resource resource(buffer, sizeof buffer);
  boost::system::error_code ec;
  json::value header = json::parse(json::string_view(text.data(), text.size()), ec, &resource, parseOptions());
  if (ec || !header.is_object()) return JwtStatus::kMalformed;
  const json::object& object = header.get_object();
  if (object.contains("crit")) return JwtStatus::kMalformed;
  const json::value* alg = object.if_contains("alg");
  if (alg == nullptr || !alg->is_string()) return JwtStatus::kBadAlgorithm;
  const json::string& name = alg->get_string();
  const std::optional<Algorithm> parsed = parseAlgorithm(std::string_view(name.data(), name.size()));
  if (!parsed) return JwtStatus::kBadAlgorithm;
  out.alg = *parsed;
  out.kid.clear();
  if (const json::value* kid = object.if_contains("kid")) {
    if (!kid->is_string()) return JwtStatus::kMalformed;
    out.kid.assign(kid->get_string().data(), kid->get_string().size());
  }
  return JwtStatus::kOk;
}

JwtStatus readClaims(std::string_view text, Jwt& out) {
  boost::system::error_code ec;
  json::value payload = json::parse(json::string_view(text.data(), text.size()), ec, {}, parseOptions());
  if (ec || !payload.is_object()) return JwtStatus::kMalformed;
  auto claims = std::make_shared<json::object>(std::move(payload.get_object()));
  out.iss.reset();
  out.audiences.clear();
  out.exp.reset();
  out.nbf.reset();
  out.jti.clear();
  if (const json::value* iss = claims->if_contains("iss")) {
    if (!iss->is_string()) return JwtStatus::kMalformed;
    out.iss.emplace(iss->get_string().data(), iss->get_string().size());
  }
  if (const json::value* aud = claims->if_contains("aud")) {
    if (aud->is_string()) {
      out.audiences.emplace_back(aud->get_string().data(), aud->get_string().size());
    } else if (aud->is_array()) {
      for (const json::value& entry : aud->get_array()) {
        if (!entry.is_string()) return JwtStatus::kMalformed;
        out.audiences.emplace_back(entry.get_string().data(), entry.get_string().size());
      }
    } else {
      return JwtStatus::kMalformed;
    }
  }
  if (const json::value* exp = claims->if_contains("exp")) {
    if (!numericDate(*exp, out.exp)) return JwtStatus::kMalformed;
  }
  if (const json::value* nbf = claims->if_contains("nbf")) {
    if (!numericDate(*nbf, out.nbf)) return JwtStatus::kMalformed;
  }
  if (const json::value* jti = claims->if_contains("jti")) {
    if (!jti->is_string()) return JwtStatus::kMalformed;
    out.jti.assign(jti->get_string().data(), jti->get_string().size());
  }
  out.claims = std::move(claims);
  return JwtStatus::kOk;
}

}  // namespace

JwtStatus parseJwt(std::string_view token, Jwt& out, std::string_view& signing_input) {
  const size_t first = token.find('.');
  if (first == std::string_view::npos) return JwtStatus::kMalformed;
  const size_t second = token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
    return JwtStatus::kMalformed;
  }
  const std::string_view header_b64 = token.substr(0, first);
  const std::string_view payload_b64 = token.substr(first + 1, second - first - 1);
  const std::string_view signature_b64 = token.substr(second + 1);
  if (header_b64.empty() || payload_b64.empty() || signature_b64.empty()) return JwtStatus::kMalformed;

  std::string decoded;
  if (!base64UrlDecode(header_b64, decoded)) return JwtStatus::kMalformed;
  if (const JwtStatus status = readHeader(decoded, out); status != JwtStatus::kOk) return status;
  if (!base64UrlDecode(payload_b64, decoded)) return JwtStatus::kMalformed;
  if (const JwtStatus status = readClaims(decoded, out); status != JwtStatus::kOk) return status;
  if (!base64UrlDecode(signature_b64, out.signature)) return JwtStatus::kMalformed;
  out.payload_b64.assign(payload_b64.data(), payload_b64.size());
  signing_input = token.substr(0, second);
  return JwtStatus::kOk;
}

}  // namespace portico::dp::filters::jwt_authn
