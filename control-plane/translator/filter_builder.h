#pragma once

// Plugins → HTTP filters of the HttpConnectionManager and per-route / per-virtual-host
// typed_per_filter_config, Envoy's way:
// - one filter per plugin present in the group, in pluginNames() order, router last; a plugin
//   with an enabled global instance carries that config, otherwise the filter is `disabled`
//   and only routes that enable it run it;
// - a route whose own or service-level instance overrides the global one gets
//   typed_per_filter_config[filter] = FilterConfig{config} (or FilterConfig{disabled: true});
// - jwt becomes Envoy's jwt_authn (providers of every instance, one requirement per instance,
//   PerRouteConfig per route) plus Portico's jwt_policy (which also carries the revoked token
//   ids, `revoked`, already sorted by jti); cors becomes Envoy's cors filter with
//   CorsPolicy per virtual host (global) or route; consumers (API keys as SHA-256, groups,
//   consumer-scoped plugins) travel as the config of Portico's consumers filter, first in the
//   chain. The cache filter's filter-level config also carries the cache purge log (`purges`:
//   its epoch and the recent purge commands, oldest first).

#include <google/protobuf/map.h>

#include <string>
#include <vector>

#include "control-plane/model/portico_config.h"
#include "control-plane/registry/purge_log.h"
#include "control-plane/registry/revocation_store.h"
#include "control-plane/translator/plugin_resolver.h"
#include "envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.pb.h"

namespace portico::cp::translator {

using FilterConfigMap = google::protobuf::Map<std::string, google::protobuf::Any>;

std::vector<envoy::extensions::filters::network::http_connection_manager::v3::HttpFilter> buildHttpFilters(
    const model::PorticoConfig& config, const PluginResolver& plugins, const registry::RevocationList& revoked = {},
    const registry::PurgeList& purges = {});

// Per-route overrides for `route`.
void addRouteFilterConfigs(const model::RouteConfig& route, const PluginResolver& plugins, FilterConfigMap* out);
// Listener-wide policies that Envoy only takes per virtual host (the global CORS policy).
void addVirtualHostFilterConfigs(const PluginResolver& plugins, FilterConfigMap* out);

}  // namespace portico::cp::translator
