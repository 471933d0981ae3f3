#pragma once

// JWS signature verification with OpenSSL 3 (RFC 7518 §3, RFC 8037 §3.1):
// - RS*: RSASSA-PKCS1-v1_5; PS*: RSASSA-PSS with MGF1 of the same hash and a salt as long as
//   the hash (RFC 7518 §3.5);
// - ES*: the JOSE signature is R || S, each exactly the curve's size (RFC 7518 §3.4); it is
//   converted to the DER ECDSA-Sig-Value OpenSSL verifies;
// - EdDSA: Ed25519 over the signing input itself;
// - HS*: HMAC, compared in constant time (CRYPTO_memcmp).
// Digests are fetched once per process, not per verification.
//
// Threading: any thread; keys are read-only.

#include <string_view>

#include "data-plane/filters/jwt_authn/algorithm.h"
#include "data-plane/filters/jwt_authn/jwks.h"

namespace portico::dp::filters::jwt_authn {

// True when `signature` (raw bytes) is a valid `alg` signature of `signing_input` under `key`.
// False also when the key cannot verify `alg` (Jwk::canVerify).
bool verifySignature(const Jwk& key, Algorithm alg, std::string_view signing_input, std::string_view signature);

}  // namespace portico::dp::filters::jwt_authn
