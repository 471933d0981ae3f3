#include "control-plane/xds/xds_metrics.h"

#include <string>

namespace portico::cp::xds {

XdsMetrics::XdsMetrics(prometheus::Registry& registry) {
  connected_proxies = &prometheus::BuildGauge()
                           .Name("portico_cp_xds_connected_proxies")
                           .Help("ADS streams currently open (proxies and proxyless gRPC clients)")
                           .Register(registry)
                           .Add({});
  convergence = &prometheus::BuildHistogram()
                     .Name("portico_cp_proxy_convergence_seconds")
                     .Help("From a config or registry change to the proxy's ACK of everything it caused")
                     .Register(registry)
                     .Add({}, prometheus::Histogram::BucketBoundaries{0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                                      0.5, 1, 2.5, 5, 10, 30});
  auto& push_family = prometheus::BuildCounter()
                          .Name("portico_cp_xds_pushes_total")
                          .Help("DiscoveryResponses sent, by resource type")
                          .Register(registry);
  auto& nack_family = prometheus::BuildCounter()
                          .Name("portico_cp_xds_nacks_total")
                          .Help("DiscoveryResponses rejected by a client (NACK), by resource type")
                          .Register(registry);
  auto& ack_family = prometheus::BuildCounter()
                         .Name("portico_cp_xds_acks_total")
                         .Help("DiscoveryResponses accepted by a client (ACK), by resource type")
                         .Register(registry);
  for (auto type : portico::xds::kAllResourceTypes) {
    const std::string name(portico::xds::shortName(type));
    const int i = portico::xds::typeIndex(type);
    pushes[i] = &push_family.Add({{"type", name}});
    nacks[i] = &nack_family.Add({{"type", name}});
    acks[i] = &ack_family.Add({{"type", name}});
  }
}

}  // namespace portico::cp::xds
