#pragma once

// envoy.service.discovery.v3.AggregatedDiscoveryService on gRPC's callback API: one reactor per
// stream, no thread per stream. StreamAggregatedResources (state of the world, SotwStream) and
// DeltaAggregatedResources (incremental, DeltaStream) share the snapshot cache, metrics and
// proxy tracker; stream ids are unique across both.

#include <atomic>
#include <cstdint>

#include "control-plane/xds/proxy_tracker.h"
#include "control-plane/xds/snapshot_cache.h"
#include "control-plane/xds/xds_metrics.h"
#include "envoy/service/discovery/v3/ads.grpc.pb.h"

namespace portico::cp::xds {

// Both RPCs are registered "raw" (grpc::ByteBuffer): responses are assembled from resource bytes
// serialized once per snapshot (wire.h) instead of one protobuf copy per stream.
using AdsBase = envoy::service::discovery::v3::AggregatedDiscoveryService;
using RawAdsService = AdsBase::WithRawCallbackMethod_StreamAggregatedResources<
    AdsBase::WithRawCallbackMethod_DeltaAggregatedResources<AdsBase::Service>>;

class AdsService final : public RawAdsService {
 public:
  AdsService(SnapshotCache& cache, XdsMetrics& metrics, ProxyTracker& tracker)
      : cache_(cache), metrics_(metrics), tracker_(tracker) {}

  grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>* StreamAggregatedResources(
      grpc::CallbackServerContext* context) override;
  grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>* DeltaAggregatedResources(
      grpc::CallbackServerContext* context) override;

 private:
  SnapshotCache& cache_;
  XdsMetrics& metrics_;
  ProxyTracker& tracker_;
  std::atomic<uint64_t> next_stream_id_{1};
};

}  // namespace portico::cp::xds
