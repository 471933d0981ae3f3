#pragma once

// portico.registry.v1.Registry over gRPC (callback API, unary): the gRPC twin of the REST
// registry API. Validation and store semantics are shared with the REST source. When the
// control plane has an admin token, every call needs it too, as gRPC metadata
// `authorization: Bearer <token>` (else UNAUTHENTICATED): registering is as powerful over gRPC
// as over REST.

#include "common/http/bearer_auth.h"
#include "control-plane/registry/store.h"
#include "portico/registry/v1/registry.grpc.pb.h"

namespace portico::cp::sources {

class GrpcRegistryService final : public portico::registry::v1::Registry::CallbackService {
 public:
  // `auth`: the admin token's check, or null when none is configured. Must outlive the service.
  explicit GrpcRegistryService(registry::Store& store, const http::BearerAuth* auth = nullptr)
      : store_(store), auth_(auth) {}

  grpc::ServerUnaryReactor* Register(grpc::CallbackServerContext* context,
                                     const portico::registry::v1::RegisterRequest* request,
                                     portico::registry::v1::RegisterResponse* response) override;
  grpc::ServerUnaryReactor* Heartbeat(grpc::CallbackServerContext* context,
                                      const portico::registry::v1::HeartbeatRequest* request,
                                      portico::registry::v1::HeartbeatResponse* response) override;
  grpc::ServerUnaryReactor* Deregister(grpc::CallbackServerContext* context,
                                       const portico::registry::v1::DeregisterRequest* request,
                                       portico::registry::v1::DeregisterResponse* response) override;
  grpc::ServerUnaryReactor* List(grpc::CallbackServerContext* context,
                                 const portico::registry::v1::ListRequest* request,
                                 portico::registry::v1::ListResponse* response) override;

 private:
  // OK, or UNAUTHENTICATED when a token is configured and the call does not carry it.
  absl::Status authenticate(const grpc::CallbackServerContext* context) const;

  registry::Store& store_;
  const http::BearerAuth* auth_;
};

}  // namespace portico::cp::sources
