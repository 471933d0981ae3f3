// libFuzzer target: data-plane/filters/jwt_authn's parsing of untrusted input — base64url, the
// compact JWS (header, claims), JWKS documents and claims turned into header values. The input
// is tried as all of these. Properties checked:
// - base64url decoding is canonical: a decoded value encodes back to exactly the input;
// - an accepted token has three segments, a signing input that is the token up to its last
//   '.', a JSON object of claims, and an algorithm that is never "none";
// - every key of an accepted JWKS is usable (an EVP_PKEY, or an HMAC secret) and verifies only
//   algorithms of its own key type;
// - a claim's header value never holds CR, LF or NUL.

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "data-plane/filters/jwt_authn/base64url.h"
#include "data-plane/filters/jwt_authn/claim_value.h"
#include "data-plane/filters/jwt_authn/jwks.h"
#include "data-plane/filters/jwt_authn/jwt.h"
#include "fuzz/fuzz_check.h"

namespace {

namespace jwt = portico::dp::filters::jwt_authn;

void checkBase64(std::string_view input) {
  std::string decoded;
  if (jwt::base64UrlDecode(input, decoded)) {
    FUZZ_CHECK(jwt::base64UrlEncode(decoded) == input, std::string(input));
  }
}

void checkClaim(const boost::json::value& value, int depth) {
  if (auto text = jwt::claimHeaderValue(value)) {
    FUZZ_CHECK(text->find_first_of(std::string_view("\r\n\0", 3)) == std::string::npos, *text);
    FUZZ_CHECK(!text->empty(), "an empty header value");
  }
  if (depth < 4 && value.is_object()) {
    for (const auto& member : value.get_object()) checkClaim(member.value(), depth + 1);
  }
}

void checkToken(std::string_view input) {
  jwt::Jwt token;
  std::string_view signing_input;
  if (jwt::parseJwt(input, token, signing_input) != jwt::JwtStatus::kOk) return;
  const std::string shown(input);
  FUZZ_CHECK(token.claims != nullptr, shown);
  FUZZ_CHECK(input.substr(0, signing_input.size()) == signing_input, shown);
  FUZZ_CHECK(input.size() > signing_input.size() && input[signing_input.size()] == '.', shown);
  FUZZ_CHECK(input.find('.', signing_input.size() + 1) == std::string_view::npos, shown);
  FUZZ_CHECK(jwt::parseAlgorithm(jwt::algorithmName(token.alg)) == token.alg, shown);
  for (const auto& member : *token.claims) checkClaim(member.value(), 0);
}

void checkJwks(std::string_view input) {
  auto jwks = jwt::Jwks::parse(input);
  if (!jwks.ok()) return;
  for (const jwt::Jwk& key : (*jwks)->keys()) {
    FUZZ_CHECK(key.type == jwt::KeyType::kOct ? !key.secret.empty() : key.pkey != nullptr, std::string(input));
    for (int a = 0; a < jwt::kAlgorithmCount; ++a) {
      const auto alg = static_cast<jwt::Algorithm>(a);
      if (key.canVerify(alg)) FUZZ_CHECK(jwt::keyTypeFor(alg) == key.type, std::string(input));
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > portico::fuzz::kMaxInput) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  checkBase64(input);
  checkToken(input);
  checkJwks(input);
  return 0;
}
