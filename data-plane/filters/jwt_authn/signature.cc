#include "data-plane/filters/jwt_authn/signature.h"

#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/hmac.h>
#include <openssl/rsa.h>

#include <memory>

namespace portico::dp::filters::jwt_authn {

namespace {

const EVP_MD* digest(Algorithm alg) {
  // Explicitly fetched once: EVP_sha256() and friends make OpenSSL 3 look the implementation
  // up again on every use.
  static const EVP_MD* const kSha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  static const EVP_MD* const kSha384 = EVP_MD_fetch(nullptr, "SHA384", nullptr);
  static const EVP_MD* const kSha512 = EVP_MD_fetch(nullptr, "SHA512", nullptr);
  switch (hashLength(alg)) {
    case 32: return kSha256;
    case 48: return kSha384;
    case 64: return kSha512;
    default: return nullptr;
  }
}

bool verifyWithKey(const Jwk& key, Algorithm alg, std::string_view signing_input, std::string_view signature);

struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;

bool verifyHmac(const Jwk& key, Algorithm alg, std::string_view input, std::string_view signature) {
  const size_t length = hashLength(alg);
  if (signature.size() != length) return false;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_length = 0;
  if (HMAC(digest(alg), key.secret.data(), static_cast<int>(key.secret.size()),
           reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &mac_length) == nullptr ||
      mac_length != length) {
    return false;
  }
  return CRYPTO_memcmp(mac, signature.data(), length) == 0;
}

// JOSE R || S → DER. Empty on a malformed signature.
std::string ecdsaDer(std::string_view signature, size_t coordinate) {
  if (signature.size() != 2 * coordinate) return {};
  const auto* raw = reinterpret_cast<const unsigned char*>(signature.data());
  std::unique_ptr<ECDSA_SIG, decltype(&ECDSA_SIG_free)> sig(ECDSA_SIG_new(), &ECDSA_SIG_free);
  BIGNUM* r = BN_bin2bn(raw, static_cast<int>(coordinate), nullptr);
  BIGNUM* s = BN_bin2bn(raw + coordinate, static_cast<int>(coordinate), nullptr);
  if (!sig || r == nullptr || s == nullptr || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return {};
  }
  const int size = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (size <= 0) return {};
  std::string der(static_cast<size_t>(size), '\0');
  auto* out = reinterpret_cast<unsigned char*>(der.data());
  if (i2d_ECDSA_SIG(sig.get(), &out) != size) return {};
  return der;
}

bool digestVerify(const Jwk& key, Algorithm alg, std::string_view input, std::string_view signature) {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx) return false;
  EVP_PKEY_CTX* pctx = nullptr;
  const EVP_MD* md = alg == Algorithm::kEdDSA ? nullptr : digest(alg);
  if (EVP_DigestVerifyInit(ctx.get(), &pctx, md, nullptr, key.pkey.get()) != 1) return false;
  if (alg == Algorithm::kPS256 || alg == Algorithm::kPS384 || alg == Algorithm::kPS512) {
    if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
        EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md) != 1 ||
        EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1) {
      return false;
    }
  }
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                          reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
}

}  // namespace

bool verifySignature(const Jwk& key, Algorithm alg, std::string_view signing_input, std::string_view signature) {
  if (!key.canVerify(alg)) return false;
  const bool ok = verifyWithKey(key, alg, signing_input, signature);
  // A failed verification leaves entries on this thread's OpenSSL error queue; left there, they
  // would be reported as the cause of the worker's next unrelated TLS error.
  if (!ok) ERR_clear_error();
  return ok;
}

namespace {

bool verifyWithKey(const Jwk& key, Algorithm alg, std::string_view signing_input, std::string_view signature) {
  switch (key.type) {
    case KeyType::kOct:
      return verifyHmac(key, alg, signing_input, signature);
    case KeyType::kEc: {
      const std::string der = ecdsaDer(signature, hashLength(alg));  // coordinate size = hash size here
      return !der.empty() && digestVerify(key, alg, signing_input, der);
    }
    case KeyType::kRsa:
    case KeyType::kOkp:
      if (key.type == KeyType::kOkp && signature.size() != 64) return false;
      return digestVerify(key, alg, signing_input, signature);
  }
  return false;
}

}  // namespace

}  // namespace portico::dp::filters::jwt_authn
