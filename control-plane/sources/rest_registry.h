#pragma once

// The REST twin of the registry service, on the control plane's admin server:
//   PUT    /v1/services/{service}/instances/{id}            register (JSON body)
//   POST   /v1/services/{service}/instances/{id}/heartbeat  renew the lease
//   DELETE /v1/services/{service}/instances/{id}            deregister
//   GET    /v1/services, /v1/services/{service}             list
// Bad input gets 400 with {"error", "message"} and changes nothing.

#include <string>

#include "absl/status/statusor.h"
#include "common/http/path_router.h"
#include "control-plane/registry/store.h"

namespace boost::json {
class object;
}

namespace portico::cp::sources {

// Parses a registration body strictly (unknown fields, wrong types and bad values are errors)
// and validates it with the shared validator.
absl::StatusOr<registry::Instance> instanceFromJson(std::string_view body, const std::string& service,
                                                    const std::string& id);
boost::json::object instanceToJson(const registry::Instance& instance);

void addRegistryRoutes(http::PathRouter& router, registry::Store& store);

}  // namespace portico::cp::sources
