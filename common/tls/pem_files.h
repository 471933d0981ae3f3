#pragma once

// Reads and checks the PEM files of a TLS identity or trust anchor at start-up, so a wrong
// path, a key that does not match its certificate or a file that is not PEM stops the process
// with a message naming the file, instead of failing every handshake later. Used for the
// gRPC link between proxies and the control plane (docs/security.md).

#include <string>

#include "absl/status/statusor.h"

namespace portico::tls {

// The content of a file holding one or more PEM certificates (a chain or a CA bundle).
// `flag` names the setting in messages ("--grpc_tls_cert").
absl::StatusOr<std::string> readCertificates(const std::string& path, std::string_view flag);

struct KeyPair {
  std::string certificate_chain;  // PEM
  std::string private_key;        // PEM
};

// A certificate chain and its private key; the key must match the first certificate.
absl::StatusOr<KeyPair> readKeyPair(const std::string& cert_path, std::string_view cert_flag,
                                    const std::string& key_path, std::string_view key_flag);

}  // namespace portico::tls
