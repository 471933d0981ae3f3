#pragma once

// One SotW ADS stream (StreamAggregatedResources): the SotwSession protocol on the shared
// AdsStream plumbing.

#include "control-plane/xds/ads_stream.h"
#include "control-plane/xds/sotw_session.h"

namespace portico::cp::xds {

class SotwStream final : public AdsStream {
 public:
  SotwStream(grpc::CallbackServerContext* context, uint64_t stream_id, SnapshotCache& cache, XdsMetrics& metrics,
             ProxyTracker& tracker);

 private:
  bool decode(const grpc::ByteBuffer& bytes) override ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  const envoy::config::core::v3::Node& node() const override { return request_.node(); }
  void handle(const SnapshotPtr& snapshot) override ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  std::vector<Push> pushesFor(const SnapshotPtr& snapshot) override ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return session_.onSnapshot(snapshot);
  }
  grpc::ByteBuffer encode(const Push& push) const override { return encodeSotw(push); }

  SotwSession session_ ABSL_GUARDED_BY(mu_);
  DiscoveryRequest request_ ABSL_GUARDED_BY(mu_);  // the request being handled
};

}  // namespace portico::cp::xds
