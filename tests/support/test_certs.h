#pragma once

// Test PKI made with the openssl command line: a CA, and certificates it signs for servers
// (with a subjectAltName such as IP:127.0.0.1) and clients. EC P-256 keys, valid two days.
// Files land in the given directory as NAME.crt / NAME.key.

#include <string>

#include "absl/status/statusor.h"

namespace portico::testing {

struct CertFiles {
  std::string cert;  // PEM path
  std::string key;   // PEM path
};

// A self-signed CA named `name` (CN=name).
absl::StatusOr<CertFiles> makeCa(const std::string& dir, const std::string& name);

enum class CertUsage { kServer, kClient };

// A certificate with CN=name and subjectAltName `san` ("IP:127.0.0.1", "DNS:proxy-1", ...),
// signed by `ca`, for TLS servers or clients (extendedKeyUsage).
absl::StatusOr<CertFiles> makeCert(const std::string& dir, const std::string& name, const CertFiles& ca,
                                   const std::string& san, CertUsage usage);

}  // namespace portico::testing
