#include "data-plane/config/snapshot_compiler.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "common/xds/type_urls.h"
#include "control-plane/translator/resource_builders.h"
#include "envoy/extensions/filters/http/router/v3/router.pb.h"
#include "envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.pb.h"

namespace portico::dp::config {
namespace {

namespace builders = portico::cp::translator;
namespace hcm = envoy::extensions::filters::network::http_connection_manager::v3;
using envoy::config::cluster::v3::Cluster;
using envoy::config::endpoint::v3::ClusterLoadAssignment;
using envoy::config::listener::v3::Listener;
using envoy::config::route::v3::RouteConfiguration;

constexpr std::string_view kJwtType =
    "type.googleapis.com/envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication";

registry::Instance;  // (forward use below)

}  // namespace
}  // namespace portico::dp::config
