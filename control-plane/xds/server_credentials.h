#pragma once

// The credentials of the control plane's gRPC port (ADS + registry): plaintext, TLS, or mutual
// TLS where every client (proxy, registrant) must present a certificate signed by the client CA.
// Built once at start-up from PEM files; certificates are not reloaded (restart to rotate).
// See docs/security.md, "Control plane: mTLS and the admin token".

#include <grpcpp/security/server_credentials.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace portico::cp::xds {

struct GrpcTlsFiles {
  std::string cert;       // --grpc_tls_cert: the server's certificate chain (PEM)
  std::string key;        // --grpc_tls_key: its private key (PEM)
  std::string client_ca;  // --grpc_client_ca: CA bundle that signs client certificates (PEM)
};

enum class GrpcSecurity { kPlaintext, kTls, kMutualTls };

struct GrpcServerSecurity {
  std::shared_ptr<grpc::ServerCredentials> credentials;
  GrpcSecurity mode = GrpcSecurity::kPlaintext;
};

// Plaintext when no file is given; TLS with cert + key; mutual TLS (client certificates
// required and verified against client_ca) when client_ca is given too. InvalidArgument naming
// the flag for a missing partner flag, an unreadable file, a key that does not match.
absl::StatusOr<GrpcServerSecurity> buildServerSecurity(const GrpcTlsFiles& files);

}  // namespace portico::cp::xds
