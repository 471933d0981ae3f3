#include "data-plane/filters/jwt_authn/algorithm.h"

namespace portico::dp::filters::jwt_authn {

namespace {

constexpr std::string_view kNames[kAlgorithmCount] = {
    "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA", "HS256", "HS384", "HS512",
};

}  // namespace

std::optional<Algorithm> parseAlgorithm(std::string_view name) {
  for (int i = 0; i < kAlgorithmCount; ++i) {
    if (kNames[i] == name) return static_cast<Algorithm>(i);
  }
  return std::nullopt;
}

std::string_view algorithmName(Algorithm alg) { return kNames[static_cast<int>(alg)]; }

KeyType keyTypeFor(Algorithm alg) {
  switch (alg) {
    case Algorithm::kRS256:
    case Algorithm::kRS384:
    case Algorithm::kRS512:
    case Algorithm::kPS256:
    case Algorithm::kPS384:
    case Algorithm::kPS512:
      return KeyType::kRsa;
    case Algorithm::kES256:
    case Algorithm::kES384:
      return KeyType::kEc;
    case Algorithm::kEdDSA:
      return KeyType::kOkp;
    case Algorithm::kHS256:
    case Algorithm::kHS384:
    case Algorithm::kHS512:
      return KeyType::kOct;
  }
  return KeyType::kOct;
}

size_t hashLength(Algorithm alg) {
  switch (alg) {
    case Algorithm::kRS256:
    case Algorithm::kPS256:
    case Algorithm::kES256:
    case Algorithm::kHS256:
      return 32;
    case Algorithm::kRS384:
    case Algorithm::kPS384:
    case Algorithm::kES384:
    case Algorithm::kHS384:
      return 48;
    case Algorithm::kRS512:
    case Algorithm::kPS512:
    case Algorithm::kHS512:
      return 64;
    case Algorithm::kEdDSA:
      return 0;
  }
  return 0;
}

}  // namespace portico::dp::filters::jwt_authn
