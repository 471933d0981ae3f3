#pragma once

// The credentials of the proxy's ADS channel to the control plane: plaintext, TLS (the control
// plane's certificate verified against a CA), or mutual TLS (plus this proxy's client
// certificate, which a control plane started with --grpc_client_ca requires). Built once at
// start-up; see docs/security.md, "Control plane: mTLS and the admin token".

#include <grpcpp/security/credentials.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace portico::dp::xds {

struct XdsTlsFiles {
  std::string ca;    // --xds_tls_ca: CA bundle that signs the control plane's certificate (PEM)
  std::string cert;  // --xds_tls_cert: this proxy's client certificate chain (PEM)
  std::string key;   // --xds_tls_key: its private key (PEM)
};

// Insecure credentials when no file is given; SSL credentials otherwise. A client certificate
// needs the CA (a proxy never sends its identity over an unverified channel), and cert and key
// go together. InvalidArgument naming the flag for bad combinations or files.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> buildChannelCredentials(const XdsTlsFiles& files);

}  // namespace portico::dp::xds
