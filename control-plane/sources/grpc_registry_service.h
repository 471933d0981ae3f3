#pragma once

// portico.registry.v1.Registry over gRPC (callback API, unary): the gRPC twin of the REST
// registry API. Validation and store semantics are shared with the REST source.

#include "control-plane/registry/store.h"
#include "portico/registry/v1/registry.grpc.pb.h"

namespace portico::cp::sources {

class GrpcRegistryService final : public portico::registry::v1::Registry::CallbackService {
 public:
  explicit GrpcRegistryService(registry::Store& store) : store_(store) {}

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
  registry::Store& store_;
};

}  // namespace portico::cp::sources
