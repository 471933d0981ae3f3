#pragma once

// Certificates for TLS tests, made with the OpenSSL API in the test itself (no fixtures that
// expire): a CA, and certificates it issues for servers (DNS names) and clients (clientAuth),
// as PEM text in memory. EC P-256 keys (RSA on request), so a handful takes milliseconds. For
// tests that need the PEM text itself, many certificates, a chosen subject (a rotated
// certificate told apart by its O=) or atomic file replacement; test_certs.h makes files with
// the openssl command line.

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace portico::testing {

struct PemPair {
  std::string certificate;  // PEM, the leaf only
  std::string key;          // PEM, PKCS#8, unencrypted
};

class TestCa {
 public:
  // A self-signed CA "CN=<common_name>".
  explicit TestCa(const std::string& common_name);
  ~TestCa();
  TestCa(const TestCa&) = delete;
  TestCa& operator=(const TestCa&) = delete;

  struct Leaf {
    std::string common_name;
    std::string organization;          // empty: none
    std::vector<std::string> dns_names;  // subjectAltName DNS entries; empty: no SAN
    bool client = false;               // extendedKeyUsage clientAuth (else serverAuth)
    int64_t serial = 0;                // 0: a random one
    int64_t not_after_days = 30;       // from now; negative: already expired
    bool rsa = false;                  // an RSA 2048 key instead of EC P-256
  };
  PemPair issue(const Leaf& leaf) const;
  std::string certificatePem() const;

 private:
  EVP_PKEY* key_ = nullptr;
  X509* certificate_ = nullptr;
};

// Writes `pair` to <dir>/<name>.crt and <dir>/<name>.key, each through a temporary file and a
// rename (as a careful operator or cert-manager would); returns {cert path, key path}.
std::pair<std::string, std::string> writePemPair(const std::string& dir, const std::string& name,
                                                 const PemPair& pair);
// Replaces `path`'s contents atomically (temporary file + rename).
void replaceFile(const std::string& path, const std::string& contents);

}  // namespace portico::testing
