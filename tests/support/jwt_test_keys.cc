#include "tests/support/jwt_test_keys.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <chrono>
#include <stdexcept>

#include "absl/strings/escaping.h"
#include "common/strings.h"

namespace portico::testing {

namespace {

std::shared_ptr<EVP_PKEY> own(EVP_PKEY* key) {
  if (key == nullptr) throw std::runtime_error("key generation failed");
  return std::shared_ptr<EVP_PKEY>(key, EVP_PKEY_free);
}

std::string bnBytes(EVP_PKEY* key, const char* name, size_t pad_to = 0) {
  BIGNUM* bn = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &bn) != 1) throw std::runtime_error(cat("no key parameter ", name));
  const size_t size = std::max(static_cast<size_t>(BN_num_bytes(bn)), pad_to);
  std::string out(size, '\0');
  BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(size));
  BN_free(bn);
  return out;
}

const EVP_MD* mdFor(std::string_view alg) {
  const std::string_view bits = alg.substr(alg.size() - 3);
  if (bits == "256") return EVP_sha256();
  if (bits == "384") return EVP_sha384();
  if (bits == "512") return EVP_sha512();
  return nullptr;
}

std::string digestSign(EVP_PKEY* key, const EVP_MD* md, bool pss, std::string_view input) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_PKEY_CTX* pctx = nullptr;
  if (EVP_DigestSignInit(ctx, &pctx, md, nullptr, key) != 1) throw std::runtime_error("sign init");
  if (pss) {
    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST);
  }
  size_t size = 0;
  const auto* data = reinterpret_cast<const unsigned char*>(input.data());
  if (EVP_DigestSign(ctx, nullptr, &size, data, input.size()) != 1) throw std::runtime_error("sign size");
  std::string out(size, '\0');
  if (EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(out.data()), &size, data, input.size()) != 1) {
    throw std::runtime_error("sign");
  }
  out.resize(size);
  EVP_MD_CTX_free(ctx);
  return out;
}

}  // namespace

std::string base64Url(std::string_view data) { return absl::WebSafeBase64Escape(av(data)); }

TestKey TestKey::rsa(std::string kid, int bits) {
  TestKey key;
  key.kid_ = std::move(kid);
  key.key_ = own(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(bits)));
  return key;
}

TestKey TestKey::ecP256(std::string kid) {
  TestKey key;
  key.kid_ = std::move(kid);
  key.key_ = own(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  return key;
}

TestKey TestKey::ecP384(std::string kid) {
  TestKey key;
  key.kid_ = std::move(kid);
  key.key_ = own(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384"));
  return key;
}

TestKey TestKey::ed25519(std::string kid) {
  TestKey key;
  key.kid_ = std::move(kid);
  key.key_ = own(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  return key;
}

TestKey TestKey::hmac(std::string kid, std::string secret) {
  TestKey key;
  key.kid_ = std::move(kid);
  key.secret_ = std::move(secret);
  return key;
}

std::string TestKey::jwk(std::string_view alg) const {
  std::string members = kid_.empty() ? "" : cat(R"("kid":")", kid_, R"(",)");
  if (!alg.empty()) members += cat(R"("alg":")", alg, R"(",)");
  if (!key_) return cat("{", members, R"("kty":"oct","k":")", base64Url(secret_), R"("})");
  const int id = EVP_PKEY_get_base_id(key_.get());
  if (id == EVP_PKEY_RSA) {
    return cat("{", members, R"("kty":"RSA","n":")", base64Url(bnBytes(key_.get(), OSSL_PKEY_PARAM_RSA_N)),
               R"(","e":")", base64Url(bnBytes(key_.get(), OSSL_PKEY_PARAM_RSA_E)), R"("})");
  }
  if (id == EVP_PKEY_EC) {
    const bool p384 = EVP_PKEY_get_bits(key_.get()) == 384;
    const size_t size = p384 ? 48 : 32;
    return cat("{", members, R"("kty":"EC","crv":")", p384 ? "P-384" : "P-256", R"(","x":")",
               base64Url(bnBytes(key_.get(), OSSL_PKEY_PARAM_EC_PUB_X, size)), R"(","y":")",
               base64Url(bnBytes(key_.get(), OSSL_PKEY_PARAM_EC_PUB_Y, size)), R"("})");
  }
  unsigned char raw[32];
  size_t size = sizeof raw;
  EVP_PKEY_get_raw_public_key(key_.get(), raw, &size);
  return cat("{", members, R"("kty":"OKP","crv":"Ed25519","x":")",
             base64Url(std::string_view(reinterpret_cast<const char*>(raw), size)), R"("})");
}

std::string TestKey::sign(std::string_view alg, std::string_view input) const {
  if (alg.substr(0, 2) == "HS") {
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    HMAC(mdFor(alg), secret_.data(), static_cast<int>(secret_.size()),
         reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &size);
    return std::string(reinterpret_cast<const char*>(mac), size);
  }
  if (alg == "EdDSA") return digestSign(key_.get(), nullptr, false, input);
  if (alg.substr(0, 2) == "RS") return digestSign(key_.get(), mdFor(alg), false, input);
  if (alg.substr(0, 2) == "PS") return digestSign(key_.get(), mdFor(alg), true, input);
  // ES*: DER → R || S, each padded to the coordinate size.
  const std::string der = digestSign(key_.get(), mdFor(alg), false, input);
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size()));
  const size_t size = alg == "ES384" ? 48 : 32;
  std::string out(2 * size, '\0');
  BN_bn2binpad(ECDSA_SIG_get0_r(sig), reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(size));
  BN_bn2binpad(ECDSA_SIG_get0_s(sig), reinterpret_cast<unsigned char*>(out.data()) + size, static_cast<int>(size));
  ECDSA_SIG_free(sig);
  return out;
}

std::string TestKey::publicPem() const {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(bio, key_.get());
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<size_t>(size));
  BIO_free(bio);
  return out;
}

std::string jwksOf(const std::vector<const TestKey*>& keys) {
  std::string out = R"({"keys":[)";
  for (size_t i = 0; i < keys.size(); ++i) {
    if (i > 0) out += ",";
    out += keys[i]->jwk();
  }
  return out + "]}";
}

std::string mintJwtWithHeader(const TestKey& key, std::string_view alg, std::string_view header_json,
                              std::string_view claims_json) {
  const std::string input = cat(base64Url(header_json), ".", base64Url(claims_json));
  return cat(input, ".", base64Url(key.sign(alg, input)));
}

std::string mintJwt(const TestKey& key, std::string_view alg, std::string_view claims_json) {
  const std::string header = key.kid().empty() ? cat(R"({"alg":")", alg, R"(","typ":"JWT"})")
                                               : cat(R"({"alg":")", alg, R"(","typ":"JWT","kid":")", key.kid(), R"("})");
  return mintJwtWithHeader(key, alg, header, claims_json);
}

long long nowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace portico::testing
