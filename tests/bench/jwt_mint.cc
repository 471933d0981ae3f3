// jwt-mint: keys and tokens for `tools/bench/proxy-compare --auth`. Writes to --out_dir:
//   jwks.json      the public key set (one key, kid "bench")
//   token.txt      one token (sub "bench-user", role "reader", valid for --ttl seconds)
//   tokens.txt     --count distinct tokens, one per line (sub "user-<i>")
//
//   build/tests/jwt-mint --alg=RS256 --issuer=https://bench.test --count=10000 --out_dir=DIR

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "common/strings.h"
#include "tests/support/jwt_test_keys.h"

ABSL_FLAG(std::string, alg, "RS256", "RS256 | ES256 | EdDSA | HS256");
ABSL_FLAG(std::string, issuer, "https://bench.test", "the iss claim");
ABSL_FLAG(int, count, 1000, "distinct tokens in tokens.txt");
ABSL_FLAG(int, ttl, 3600, "seconds until the tokens expire");
ABSL_FLAG(std::string, out_dir, ".", "where the files go");

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  using portico::cat;
  using portico::testing::TestKey;
  const std::string alg = absl::GetFlag(FLAGS_alg);
  TestKey key = alg == "ES256"   ? TestKey::ecP256("bench")
                : alg == "EdDSA" ? TestKey::ed25519("bench")
                : alg == "HS256" ? TestKey::hmac("bench", std::string(32, 'b'))
                                 : TestKey::rsa("bench");
  const std::string dir = absl::GetFlag(FLAGS_out_dir);
  const long long exp = portico::testing::nowSeconds() + absl::GetFlag(FLAGS_ttl);
  const auto claims = [&](const std::string& sub) {
    return cat(R"({"iss":")", absl::GetFlag(FLAGS_issuer), R"(","sub":")", sub,
               R"(","role":"reader","aud":"api","exp":)", exp, "}");
  };
  std::ofstream(dir + "/jwks.json") << portico::testing::jwksOf({&key});
  std::ofstream(dir + "/token.txt") << portico::testing::mintJwt(key, alg, claims("bench-user")) << "\n";
  std::ofstream tokens(dir + "/tokens.txt");
  for (int i = 0; i < absl::GetFlag(FLAGS_count); ++i) {
    tokens << portico::testing::mintJwt(key, alg, claims(cat("user-", i))) << "\n";
  }
  return 0;
}
