#pragma once

// Keys and tokens minted in tests with OpenSSL (independently of the proxy's own JWT code, so
// a test checks it against a second implementation): RSA, EC P-256/P-384, Ed25519 and HMAC keys,
// their public JWKs, and compact JWS tokens signed with any algorithm, including deliberately
// broken ones (a header of the test's choosing, a tampered signature).

#include <openssl/evp.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace portico::testing {

class TestKey {
 public:
  static TestKey rsa(std::string kid, int bits = 2048);
  static TestKey ecP256(std::string kid);
  static TestKey ecP384(std::string kid);
  static TestKey ed25519(std::string kid);
  static TestKey hmac(std::string kid, std::string secret);

  const std::string& kid() const { return kid_; }
  // The public JWK as a JSON object (for HMAC, the secret as "k"). `alg` adds an "alg" member.
  std::string jwk(std::string_view alg = "") const;
  // The raw JOSE signature of `input` with `alg` ("RS256", "PS384", "ES256", "EdDSA", "HS512"…).
  std::string sign(std::string_view alg, std::string_view input) const;
  // For RSA keys: the public key as an "oct" secret would see it (the HS/RS confusion attack
  // uses the PEM text of the public key as an HMAC secret).
  std::string publicPem() const;

 private:
  std::string kid_;
  std::shared_ptr<EVP_PKEY> key_;
  std::string secret_;
};

// {"keys":[...]} of these keys' public JWKs.
std::string jwksOf(const std::vector<const TestKey*>& keys);

std::string base64Url(std::string_view data);

// header.payload.signature, with header {"alg":alg,"typ":"JWT","kid":key.kid()} (no "kid" when
// the key has none).
std::string mintJwt(const TestKey& key, std::string_view alg, std::string_view claims_json);
// With a header of the caller's choosing (signed with `alg` all the same).
std::string mintJwtWithHeader(const TestKey& key, std::string_view alg, std::string_view header_json,
                              std::string_view claims_json);

// Seconds since the Unix epoch, now.
long long nowSeconds();

}  // namespace portico::testing
