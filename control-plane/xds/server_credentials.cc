#include "control-plane/xds/server_credentials.h"

#include <grpcpp/security/server_credentials.h>

#include "common/tls/pem_files.h"

namespace portico::cp::xds {

absl::StatusOr<GrpcServerSecurity> buildServerSecurity(const GrpcTlsFiles& files) {
  GrpcServerSecurity out;
  if (files.cert.empty() && files.key.empty() && files.client_ca.empty()) {
    out.credentials = grpc::InsecureServerCredentials();
    return out;
  }
  if (files.cert.empty() || files.key.empty()) {
    return absl::InvalidArgumentError(
        "--grpc_tls_cert and --grpc_tls_key go together (and --grpc_client_ca needs both)");
  }
  absl::StatusOr<tls::KeyPair> pair = tls::readKeyPair(files.cert, "--grpc_tls_cert", files.key, "--grpc_tls_key");
  if (!pair.ok()) return pair.status();
  grpc::SslServerCredentialsOptions options;
  options.pem_key_cert_pairs.push_back({pair->private_key, pair->certificate_chain});
  if (files.client_ca.empty()) {
    options.client_certificate_request = GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE;
    out.mode = GrpcSecurity::kTls;
  } else {
    absl::StatusOr<std::string> ca = tls::readCertificates(files.client_ca, "--grpc_client_ca");
    if (!ca.ok()) return ca.status();
    options.pem_root_certs = *ca;
    options.client_certificate_request = GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
    out.mode = GrpcSecurity::kMutualTls;
  }
  out.credentials = grpc::SslServerCredentials(options);
  return out;
}

}  // namespace portico::cp::xds
