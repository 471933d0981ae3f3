#include "data-plane/filters/jwt_authn/jwks.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/param_build.h>

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/parse_options.hpp>
#include <boost/json/value.hpp>

#include <atomic>

#include "common/strings.h"
#include "data-plane/filters/jwt_authn/base64url.h"

namespace portico::dp::filters::jwt_authn {

namespace json = boost::json;

namespace {

constexpr int kMinRsaBits = 2048;  // RFC 7518 §3.3
constexpr size_t kMaxKeys = 256;

std::atomic<uint64_t> next_jwks_id{1};

struct BnDeleter {
  void operator()(BIGNUM* bn) const { BN_free(bn); }
};
using BnPtr = std::unique_ptr<BIGNUM, BnDeleter>;
struct ParamBldDeleter {
  void operator()(OSSL_PARAM_BLD* bld) const { OSSL_PARAM_BLD_free(bld); }
};
struct ParamDeleter {
  void operator()(OSSL_PARAM* params) const { OSSL_PARAM_free(params); }
};
struct PkeyCtxDeleter {
  void operator()(EVP_PKEY_CTX* ctx) const { EVP_PKEY_CTX_free(ctx); }
};
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxDeleter>;

// A string member of `key`, base64url-decoded. Empty string view in `error` on success.
bool member(const json::object& key, std::string_view name, std::string& out, std::string& error) {
  const json::value* value = key.if_contains(json::string_view(name.data(), name.size()));
  if (value == nullptr || !value->is_string()) {
    error = cat("\"", name, "\" missing or not a string");
    return false;
  }
  const json::string& text = value->get_string();
  if (!base64UrlDecode(std::string_view(text.data(), text.size()), out) || out.empty()) {
    error = cat("\"", name, "\" is not base64url");
    return false;
  }
  return true;
}

std::string stringMember(const json::object& key, std::string_view name) {
  const json::value* value = key.if_contains(json::string_view(name.data(), name.size()));
  if (value == nullptr || !value->is_string()) return {};
  return std::string(value->get_string().data(), value->get_string().size());
}

EvpPkeyPtr fromParams(const char* type, OSSL_PARAM_BLD* bld) {
  std::unique_ptr<OSSL_PARAM, ParamDeleter> params(OSSL_PARAM_BLD_to_param(bld));
  if (!params) return nullptr;
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* key = nullptr;
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    return nullptr;
  }
  return EvpPkeyPtr(key);
}

bool buildRsa(const json::object& key, Jwk& out, std::string& error) {
  std::string n, e;
  if (!member(key, "n", n, error) || !member(key, "e", e, error)) return false;
  BnPtr modulus(BN_bin2bn(reinterpret_cast<const unsigned char*>(n.data()), static_cast<int>(n.size()), nullptr));
  BnPtr exponent(BN_bin2bn(reinterpret_cast<const unsigned char*>(e.data()), static_cast<int>(e.size()), nullptr));
  if (!modulus || !exponent) {
    error = "cannot read n or e";
    return false;
  }
  if (BN_num_bits(modulus.get()) < kMinRsaBits) {
    error = cat("RSA modulus of ", BN_num_bits(modulus.get()), " bits is under ", kMinRsaBits);
    return false;
  }
  // An even exponent or e = 1 is never a real public key (e = 1 would make every "signature"
  // equal to its padded digest, forgeable by anyone).
  if (!BN_is_odd(exponent.get()) || BN_is_one(exponent.get())) {
    error = "RSA exponent must be odd and greater than 1";
    return false;
  }
  std::unique_ptr<OSSL_PARAM_BLD, ParamBldDeleter> bld(OSSL_PARAM_BLD_new());
  if (!bld || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, modulus.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, exponent.get()) != 1) {
    error = "cannot build the RSA key";
    return false;
  }
  out.pkey = fromParams("RSA", bld.get());
  if (!out.pkey) {
    error = "OpenSSL refused the RSA key";
    return false;
  }
  return true;
}

bool buildEc(const json::object& key, Jwk& out, std::string& error) {
  const std::string crv = stringMember(key, "crv");
  const char* group = nullptr;
  size_t coordinate = 0;
  if (crv == "P-256") {
    group = "prime256v1";
    coordinate = 32;
    out.curve_alg = Algorithm::kES256;
  } else if (crv == "P-384") {
    group = "secp384r1";
    coordinate = 48;
    out.curve_alg = Algorithm::kES384;
  } else {
    error = cat("unsupported EC curve \"", crv, "\"");
    return false;
  }
  std::string x, y;
  if (!member(key, "x", x, error) || !member(key, "y", y, error)) return false;
  if (x.size() != coordinate || y.size() != coordinate) {  // RFC 7518 §6.2.1.2: full length
    error = cat("x and y must be ", coordinate, " bytes for ", crv);
    return false;
  }
  std::string point;
  point.reserve(1 + 2 * coordinate);
  point.push_back('\x04');  // uncompressed point (SEC 1 §2.3.3)
  point += x;
  point += y;
  std::unique_ptr<OSSL_PARAM_BLD, ParamBldDeleter> bld(OSSL_PARAM_BLD_new());
  if (!bld || OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()) != 1) {
    error = "cannot build the EC key";
    return false;
  }
  out.pkey = fromParams("EC", bld.get());
  if (!out.pkey) {
    error = "OpenSSL refused the EC key";
    return false;
  }
  PkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, out.pkey.get(), nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) != 1) {
    error = "the EC point is not on the curve";
    return false;
  }
  return true;
}

bool buildOkp(const json::object& key, Jwk& out, std::string& error) {
  const std::string crv = stringMember(key, "crv");
  if (crv != "Ed25519") {
    error = cat("unsupported OKP curve \"", crv, "\"");
    return false;
  }
  std::string x;
  if (!member(key, "x", x, error)) return false;
  if (x.size() != 32) {
    error = "x must be 32 bytes for Ed25519";
    return false;
  }
  out.pkey.reset(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr,
                                             reinterpret_cast<const unsigned char*>(x.data()), x.size()));
  if (!out.pkey) {
    error = "OpenSSL refused the Ed25519 key";
    return false;
  }
  return true;
}

// Builds one key; false (with `error`) when it is unusable.
bool buildKey(const json::value& value, Jwk& out, std::string& error) {
  if (!value.is_object()) {
    error = "not a JSON object";
    return false;
  }
  const json::object& key = value.get_object();
  out.kid = stringMember(key, "kid");
  if (const json::value* kid = key.if_contains("kid"); kid != nullptr && !kid->is_string()) {
    error = "\"kid\" is not a string";
    return false;
  }
  const std::string use = stringMember(key, "use");
  if (key.contains("use") && use != "sig") {
    error = cat("\"use\" is \"", use, "\", not \"sig\"");
    return false;
  }
  if (const json::value* ops = key.if_contains("key_ops")) {
    bool verify = false;
    if (ops->is_array()) {
      for (const json::value& op : ops->get_array()) verify = verify || (op.is_string() && op.get_string() == "verify");
    }
    if (!verify) {
      error = "\"key_ops\" does not include \"verify\"";
      return false;
    }
  }
  if (key.contains("alg")) {
    const std::string alg = stringMember(key, "alg");
    out.alg = parseAlgorithm(alg);
    if (!out.alg) {
      error = cat("unsupported \"alg\" \"", alg, "\"");
      return false;
    }
  }
  const std::string kty = stringMember(key, "kty");
  bool built = false;
  if (kty == "RSA") {
    out.type = KeyType::kRsa;
    built = buildRsa(key, out, error);
  } else if (kty == "EC") {
    out.type = KeyType::kEc;
    built = buildEc(key, out, error);
  } else if (kty == "OKP") {
    out.type = KeyType::kOkp;
    built = buildOkp(key, out, error);
  } else if (kty == "oct") {
    out.type = KeyType::kOct;
    built = member(key, "k", out.secret, error);
  } else {
    error = cat("unsupported \"kty\" \"", kty, "\"");
    return false;
  }
  if (built && out.alg && keyTypeFor(*out.alg) != out.type) {
    error = cat("\"alg\" ", algorithmName(*out.alg), " does not fit kty ", kty);
    return false;
  }
  if (built && out.alg && out.curve_alg && *out.alg != *out.curve_alg) {
    error = cat("\"alg\" ", algorithmName(*out.alg), " does not fit curve ", stringMember(key, "crv"));
    return false;
  }
  return built;
}

}  // namespace

bool Jwk::canVerify(Algorithm algorithm) const {
  if (keyTypeFor(algorithm) != type) return false;
  if (alg && *alg != algorithm) return false;
  if (curve_alg && *curve_alg != algorithm) return false;
  if (type == KeyType::kOct && secret.size() < hashLength(algorithm)) return false;
  return true;
}

absl::StatusOr<std::shared_ptr<const Jwks>> Jwks::parse(std::string_view json_text, std::vector<std::string>* skipped) {
  json::parse_options options;
  options.max_depth = 16;
  boost::system::error_code ec;
  const json::value document = json::parse(json::string_view(json_text.data(), json_text.size()), ec, {}, options);
  if (ec) return absl::InvalidArgumentError(cat("JWKS is not valid JSON: ", ec.message()));
  const json::value* keys = document.is_object() ? document.get_object().if_contains("keys") : nullptr;
  if (keys == nullptr || !keys->is_array()) {
    return absl::InvalidArgumentError("JWKS must be an object with a \"keys\" array");
  }
  const json::array& list = keys->get_array();
  if (list.size() > kMaxKeys) {
    return absl::InvalidArgumentError(cat("JWKS has ", list.size(), " keys; at most ", kMaxKeys, " are accepted"));
  }
  std::vector<Jwk> usable;
  std::string reasons;
  for (size_t i = 0; i < list.size(); ++i) {
    Jwk key;
    std::string error;
    if (buildKey(list[i], key, error)) {
      usable.push_back(std::move(key));
      continue;
    }
    std::string line = cat("keys[", i, "]", key.kid.empty() ? "" : cat(" (kid \"", key.kid, "\")"), ": ", error);
    if (!reasons.empty()) reasons += "; ";
    reasons += line;
    if (skipped != nullptr) skipped->push_back(std::move(line));
  }
  ERR_clear_error();  // refused keys leave OpenSSL errors behind; they are reported above instead
  if (usable.empty()) {
    return absl::InvalidArgumentError(
        list.empty() ? std::string("JWKS has no keys") : cat("JWKS has no usable key: ", reasons));
  }
  return std::shared_ptr<const Jwks>(new Jwks(std::move(usable), next_jwks_id.fetch_add(1, std::memory_order_relaxed)));
}

}  // namespace portico::dp::filters::jwt_authn
