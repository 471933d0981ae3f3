#include "common/tls/pem_files.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <fstream>
#include <memory>
#include <sstream>

#include "common/strings.h"

namespace portico::tls {

namespace {

struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct X509Free {
  void operator()(X509* cert) const { X509_free(cert); }
};
struct KeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;
using KeyPtr = std::unique_ptr<EVP_PKEY, KeyFree>;

absl::StatusOr<std::string> readFile(const std::string& path, std::string_view flag) {
  if (path.empty()) {
    return absl::InvalidArgumentError(cat(flag, ": empty path"));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::InvalidArgumentError(cat(flag, "=", path, ": cannot open the file"));
  }
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

BioPtr memoryBio(const std::string& pem) { return BioPtr(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()))); }

// Certificates in `pem`, in order; the first is the leaf.
std::vector<X509Ptr> parseCertificates(const std::string& pem) {
  std::vector<X509Ptr> out;
  BioPtr bio = memoryBio(pem);
  while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    out.emplace_back(cert);
  }
  ERR_clear_error();  // the read that ends the loop leaves "no start line" behind
  return out;
}

}  // namespace

absl::StatusOr<std::string> readCertificates(const std::string& path, std::string_view flag) {
  absl::StatusOr<std::string> pem = readFile(path, flag);
  if (!pem.ok()) return pem.status();
  if (parseCertificates(*pem).empty()) {
    return absl::InvalidArgumentError(cat(flag, "=", path, ": no PEM certificate in the file"));
  }
  return pem;
}

absl::StatusOr<KeyPair> readKeyPair(const std::string& cert_path, std::string_view cert_flag,
                                    const std::string& key_path, std::string_view key_flag) {
  KeyPair out;
  absl::StatusOr<std::string> chain = readCertificates(cert_path, cert_flag);
  if (!chain.ok()) return chain.status();
  absl::StatusOr<std::string> key_pem = readFile(key_path, key_flag);
  if (!key_pem.ok()) return key_pem.status();
  BioPtr bio = memoryBio(*key_pem);
  // No passphrase: without this callback OpenSSL would prompt on the terminal for one.
  pem_password_cb* no_passphrase = [](char*, int, int, void*) { return 0; };
  KeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr));
  ERR_clear_error();
  if (!key) {
    return absl::InvalidArgumentError(
        cat(key_flag, "=", key_path, ": no PEM private key in the file (an encrypted key is not supported)"));
  }
  std::vector<X509Ptr> certs = parseCertificates(*chain);
  if (X509_check_private_key(certs.front().get(), key.get()) != 1) {
    ERR_clear_error();
    return absl::InvalidArgumentError(
        cat(key_flag, "=", key_path, ": the key does not match the certificate in ", cert_flag, "=", cert_path));
  }
  out.certificate_chain = std::move(*chain);
  out.private_key = std::move(*key_pem);
  return out;
}

}  // namespace portico::tls
