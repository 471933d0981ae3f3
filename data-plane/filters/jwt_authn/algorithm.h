#pragma once

// The JWS signature algorithms this proxy verifies (RFC 7518 §3, RFC 8037 §3.1) and the one key
// type each may be verified with. "none" and anything else are not algorithms here at all, so a
// token naming them can never reach a verifier; and an algorithm only ever meets a key of its
// own type, which is what defeats the HS/RS confusion attack (an RSA public key used as an HMAC
// secret): an "HS256" token is only ever checked against "oct" keys.

#include <cstdint>
#include <optional>
#include <string_view>

namespace portico::dp::filters::jwt_authn {

enum class Algorithm : uint8_t {
  kRS256, kRS384, kRS512,
  kPS256, kPS384, kPS512,
  kES256, kES384,
  kEdDSA,
  kHS256, kHS384, kHS512,
};
inline constexpr int kAlgorithmCount = 12;

enum class KeyType : uint8_t { kRsa, kEc, kOkp, kOct };

// "RS256" → kRS256 (exact, case-sensitive, as RFC 7515 §4.1.1 requires); anything else,
// "none" included, → nullopt.
std::optional<Algorithm> parseAlgorithm(std::string_view name);
std::string_view algorithmName(Algorithm alg);
KeyType keyTypeFor(Algorithm alg);
// Bytes of the algorithm's hash (32/48/64); 0 for EdDSA (no separate digest).
size_t hashLength(Algorithm alg);

// A set of algorithms (a provider's allow-list).
class AlgorithmSet {
 public:
  static AlgorithmSet all() { return AlgorithmSet((1u << kAlgorithmCount) - 1); }
  AlgorithmSet() = default;
  void add(Algorithm alg) { bits_ |= bit(alg); }
  bool contains(Algorithm alg) const { return (bits_ & bit(alg)) != 0; }
  bool empty() const { return bits_ == 0; }

 private:
  explicit AlgorithmSet(uint32_t bits) : bits_(bits) {}
  static uint32_t bit(Algorithm alg) { return 1u << static_cast<uint32_t>(alg); }
  uint32_t bits_ = 0;
};

}  // namespace portico::dp::filters::jwt_authn
