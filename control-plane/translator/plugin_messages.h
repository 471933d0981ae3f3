#pragma once

// Each plugin's validated config as the filter-config message the proxies receive: Envoy's
// message where Envoy has the filter (jwt_authn, cors), Portico's own otherwise
// (proto/portico/filters/...). Pure functions.

#include <google/protobuf/any.pb.h>

#include <string>

#include "control-plane/model/plugin_config.h"

namespace portico::cp::translator {

// The filter config for a non-JWT, non-CORS plugin's config (JWT and CORS are assembled across
// instances by filter_builder). Returns an empty Any for std::monostate. `scope` names the
// plugin instance ("global", "route.x", "service.x", "consumer.x") for the plugins whose state is
// shared per instance (rate-limit).
google::protobuf::Any pluginMessage(const std::string& plugin, const model::PluginConfig& config,
                                    const std::string& scope = "");

// CORS policy (cors.v3.CorsPolicy) of a cors plugin config.
google::protobuf::Any corsPolicy(const model::CorsConfig& config);

}  // namespace portico::cp::translator
