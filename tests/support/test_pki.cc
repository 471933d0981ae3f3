#include "tests/support/test_pki.h"

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <fstream>
#include <stdexcept>

#include "absl/strings/str_join.h"
#include "common/strings.h"

namespace portico::testing {

namespace {

void check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("test PKI: ") + what + " failed");
}

EVP_PKEY* newKey() {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  check(key != nullptr, "EVP_EC_gen");
  return key;
}

void addExtension(X509* certificate, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, certificate, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  check(extension != nullptr, "X509V3_EXT_conf_nid");
  X509_add_ext(certificate, extension, -1);
  X509_EXTENSION_free(extension);
}

X509* newCertificate(EVP_PKEY* key, int64_t serial, int64_t days) {
  X509* certificate = X509_new();
  X509_set_version(certificate, 2);
  if (serial == 0) {
    uint32_t random = 0;
    RAND_bytes(reinterpret_cast<unsigned char*>(&random), sizeof(random));
    serial = (random >> 1) + 1;
  }
  ASN1_INTEGER_set_int64(X509_get_serialNumber(certificate), serial);
  X509_gmtime_adj(X509_getm_notBefore(certificate), days < 0 ? days * 2 * 86400 : -3600);
  X509_gmtime_adj(X509_getm_notAfter(certificate), days * 86400);
  X509_set_pubkey(certificate, key);
  return certificate;
}

void setName(X509_NAME* name, const std::string& organization, const std::string& common_name) {
  if (!organization.empty()) {
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(organization.c_str()), -1, -1, 0);
  }
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1, 0);
}

std::string toPem(X509* certificate) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, certificate);
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<size_t>(length));
  BIO_free(bio);
  return out;
}

std::string toPem(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<size_t>(length));
  BIO_free(bio);
  return out;
}

}  // namespace

TestCa::TestCa(const std::string& common_name) {
  key_ = newKey();
  certificate_ = newCertificate(key_, 0, 365);
  setName(X509_get_subject_name(certificate_), "", common_name);
  X509_set_issuer_name(certificate_, X509_get_subject_name(certificate_));
  addExtension(certificate_, certificate_, NID_basic_constraints, "critical,CA:TRUE");
  addExtension(certificate_, certificate_, NID_key_usage, "critical,keyCertSign,cRLSign");
  addExtension(certificate_, certificate_, NID_subject_key_identifier, "hash");
  check(X509_sign(certificate_, key_, EVP_sha256()) > 0, "X509_sign (CA)");
}

TestCa::~TestCa() {
  X509_free(certificate_);
  EVP_PKEY_free(key_);
}

PemPair TestCa::issue(const Leaf& leaf) const {
  EVP_PKEY* key = leaf.rsa ? EVP_RSA_gen(2048) : newKey();
  check(key != nullptr, "key generation");
  X509* certificate = newCertificate(key, leaf.serial, leaf.not_after_days);
  setName(X509_get_subject_name(certificate), leaf.organization, leaf.common_name);
  X509_set_issuer_name(certificate, X509_get_subject_name(certificate_));
  addExtension(certificate, certificate_, NID_basic_constraints, "critical,CA:FALSE");
  addExtension(certificate, certificate_, NID_key_usage, "critical,digitalSignature");
  addExtension(certificate, certificate_, NID_ext_key_usage, leaf.client ? "clientAuth" : "serverAuth");
  addExtension(certificate, certificate_, NID_authority_key_identifier, "keyid");
  if (!leaf.dns_names.empty()) {
    std::vector<std::string> entries;
    for (const std::string& name : leaf.dns_names) entries.push_back(cat("DNS:", name));
    addExtension(certificate, certificate_, NID_subject_alt_name, absl::StrJoin(entries, ","));
  }
  check(X509_sign(certificate, key_, EVP_sha256()) > 0, "X509_sign");
  PemPair out{toPem(certificate), toPem(key)};
  X509_free(certificate);
  EVP_PKEY_free(key);
  return out;
}

std::string TestCa::certificatePem() const { return toPem(certificate_); }

void replaceFile(const std::string& path, const std::string& contents) {
  const std::string temporary = cat(path, ".tmp");
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << contents;
  }
  std::rename(temporary.c_str(), path.c_str());
}

std::pair<std::string, std::string> writePemPair(const std::string& dir, const std::string& name,
                                                 const PemPair& pair) {
  const std::string cert = cat(dir, "/", name, ".crt");
  const std::string key = cat(dir, "/", name, ".key");
  replaceFile(cert, pair.certificate);
  replaceFile(key, pair.key);
  return {cert, key};
}

}  // namespace portico::testing
