#pragma once

// One incremental ADS stream (DeltaAggregatedResources): the DeltaSession protocol on the
// shared AdsStream plumbing.

#include "control-plane/xds/ads_stream.h"
#include "control-plane/xds/delta_session.h"

namespace portico::cp::xds {

class DeltaStream final : public AdsStream {
 public:
  DeltaStream(grpc::CallbackServerContext* context, uint64_t stream_id, SnapshotCache& cache, XdsMetrics& metrics,
              ProxyTracker& tracker);

 private:
  bool decode(const grpc::ByteBuffer& bytes) override ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  const envoy::config::core::v3::Node& node() const override { return request_.node(); }
  void handle(const SnapshotPtr& snapshot) override ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void releaseRequest() override ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  std::vector<Push> pushesFor(const SnapshotPtr& snapshot) override ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return session_.onSnapshot(snapshot);
  }
  grpc::ByteBuffer encode(const Push& push) const override { return encodeDelta(push); }

  DeltaSession session_ ABSL_GUARDED_BY(mu_);
  DeltaDiscoveryRequest request_ ABSL_GUARDED_BY(mu_);  // the request being handled
};

}  // namespace portico::cp::xds
