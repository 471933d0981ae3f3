#include "data-plane/xds/channel_credentials.h"

#include "common/tls/pem_files.h"

namespace portico::dp::xds {

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> buildChannelCredentials(const XdsTlsFiles& files) {
  if (files.ca.empty() && files.cert.empty() && files.key.empty()) {
    return grpc::InsecureChannelCredentials();
  }
  if (files.ca.empty()) {
    return absl::InvalidArgumentError(
        "--xds_tls_cert/--xds_tls_key need --xds_tls_ca (the CA that signs the control plane's certificate)");
  }
  if (files.cert.empty() != files.key.empty()) {
    return absl::InvalidArgumentError("--xds_tls_cert and --xds_tls_key go together");
  }
  grpc::SslCredentialsOptions options;
  absl::StatusOr<std::string> ca = tls::readCertificates(files.ca, "--xds_tls_ca");
  if (!ca.ok()) return ca.status();
  options.pem_root_certs = *ca;
  if (!files.cert.empty()) {
    absl::StatusOr<tls::KeyPair> pair = tls::readKeyPair(files.cert, "--xds_tls_cert", files.key, "--xds_tls_key");
    if (!pair.ok()) return pair.status();
    options.pem_cert_chain = pair->certificate_chain;
    options.pem_private_key = pair->private_key;
  }
  return grpc::SslCredentials(options);
}

}  // namespace portico::dp::xds
