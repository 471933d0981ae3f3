#pragma once

// A JSON Web Key Set (RFC 7517) of verification keys: RSA (n, e), EC P-256 / P-384 (crv, x, y;
// RFC 7518 §6.2), OKP Ed25519 (crv, x; RFC 8037 §2) and symmetric "oct" keys (k). Each key is
// built once into an OpenSSL EVP_PKEY (or kept as its secret) when the set is parsed; the set
// is immutable afterwards and shared by every worker, so verifying never parses a key.
//
// Keys that cannot be used are skipped with a reason (unknown kty or curve, "use" other than
// "sig", "key_ops" without "verify", bad encodings, RSA moduli under 2048 bits, EC points off
// their curve); a set with no usable key is an error.

#include <openssl/evp.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "data-plane/filters/jwt_authn/algorithm.h"

namespace portico::dp::filters::jwt_authn {

struct EvpPkeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, EvpPkeyDeleter>;

struct Jwk {
  std::string kid;                   // empty when the key has none
  KeyType type = KeyType::kOct;
  std::optional<Algorithm> alg;      // the key's "alg", when given: it verifies only that one
  std::optional<Algorithm> curve_alg;  // EC: the one algorithm its curve goes with
  EvpPkeyPtr pkey;                   // RSA, EC, OKP
  std::string secret;                // oct

  // True when this key may verify a signature made with `algorithm`: same key type, the key's
  // own "alg" (if any) agrees, the curve fits (ES256 ↔ P-256, ES384 ↔ P-384) and an HMAC
  // secret is at least as long as the hash (RFC 7518 §3.2).
  bool canVerify(Algorithm algorithm) const;
};

class Jwks {
 public:
  // Parses a JWKS document ({"keys": [...]}). `skipped` (optional) receives one line per key
  // that was left out and why.
  static absl::StatusOr<std::shared_ptr<const Jwks>> parse(std::string_view json_text,
                                                           std::vector<std::string>* skipped = nullptr);

  const std::vector<Jwk>& keys() const { return keys_; }
  // Unique per parsed set in this process (never reused): what a cached verification was made
  // against.
  uint64_t id() const { return id_; }

 private:
  Jwks(std::vector<Jwk> keys, uint64_t id) : keys_(std::move(keys)), id_(id) {}
  std::vector<Jwk> keys_;
  uint64_t id_;
};
using JwksConstSharedPtr = std::shared_ptr<const Jwks>;

}  // namespace portico::dp::filters::jwt_authn
