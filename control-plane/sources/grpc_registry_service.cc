#include "control-plane/sources/grpc_registry_service.h"

#include <grpcpp/server_context.h>

#include "control-plane/registry/instance_validator.h"

namespace portico::cp::sources {

namespace v1 = portico::registry::v1;

namespace {

grpc::Status toGrpc(const absl::Status& status) {
  if (status.ok()) {
    return grpc::Status::OK;
  }
  // absl and gRPC share the canonical code numbering.
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()));
}

grpc::ServerUnaryReactor* finish(grpc::CallbackServerContext* context, const absl::Status& status) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(toGrpc(status));
  return reactor;
}

}  // namespace

absl::Status GrpcRegistryService::authenticate(const grpc::CallbackServerContext* context) const {
  if (auth_ == nullptr) {
    return absl::OkStatus();
  }
  const auto& metadata = context->client_metadata();
  auto it = metadata.find("authorization");
  std::string value;
  if (it != metadata.end()) {
    value.assign(it->second.data(), it->second.size());
  }
  switch (auth_->verify(it != metadata.end() ? &value : nullptr)) {
    case http::BearerAuth::Result::kOk:
      return absl::OkStatus();
    case http::BearerAuth::Result::kMissing:
      return absl::UnauthenticatedError(
          "the registry needs the admin token: send metadata authorization: Bearer <token>");
    case http::BearerAuth::Result::kInvalid:
      break;
  }
  return absl::UnauthenticatedError("the bearer token in metadata authorization is not valid");
}

grpc::ServerUnaryReactor* GrpcRegistryService::Register(grpc::CallbackServerContext* context,
                                                        const v1::RegisterRequest* request,
                                                        v1::RegisterResponse* response) {
  if (absl::Status s = authenticate(context); !s.ok()) {
    return finish(context, s);
  }
  v1::Instance instance = request->instance();
  if (absl::Status s = registry::validateAndDefault(instance); !s.ok()) {
    return finish(context, s);
  }
  auto result = store_.upsert(instance);
  if (result.ok()) {
    *response->mutable_instance() = result->instance;
    response->set_created(result->created);
  }
  return finish(context, result.status());
}

grpc::ServerUnaryReactor* GrpcRegistryService::Heartbeat(grpc::CallbackServerContext* context,
                                                         const v1::HeartbeatRequest* request,
                                                         v1::HeartbeatResponse* response) {
  if (absl::Status s = authenticate(context); !s.ok()) {
    return finish(context, s);
  }
  auto result = store_.heartbeat(request->service(), request->id());
  if (result.ok()) {
    response->set_expires_unix_ms(result->expires_unix_ms());
  }
  return finish(context, result.status());
}

grpc::ServerUnaryReactor* GrpcRegistryService::Deregister(grpc::CallbackServerContext* context,
                                                          const v1::DeregisterRequest* request,
                                                          v1::DeregisterResponse* response) {
  if (absl::Status s = authenticate(context); !s.ok()) {
    return finish(context, s);
  }
  return finish(context, store_.remove(request->service(), request->id()));
}

grpc::ServerUnaryReactor* GrpcRegistryService::List(grpc::CallbackServerContext* context,
                                                    const v1::ListRequest* request,
                                                    v1::ListResponse* response) {
  if (absl::Status s = authenticate(context); !s.ok()) {
    return finish(context, s);
  }
  for (auto& instance : store_.list(request->service())) {
    *response->add_instances() = std::move(instance);
  }
  return finish(context, absl::OkStatus());
}

}  // namespace portico::cp::sources
