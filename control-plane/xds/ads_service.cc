#include "control-plane/xds/ads_service.h"

#include "control-plane/xds/delta_stream.h"
#include "control-plane/xds/sotw_stream.h"

namespace portico::cp::xds {

grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>*
AdsService::StreamAggregatedResources(grpc::CallbackServerContext* context) {
  // The reactor deletes itself in OnDone().
  return new SotwStream(context, next_stream_id_++, cache_, metrics_, tracker_);
}

grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>*
AdsService::DeltaAggregatedResources(grpc::CallbackServerContext* context) {
  // The reactor deletes itself in OnDone().
  return new DeltaStream(context, next_stream_id_++, cache_, metrics_, tracker_);
}

}  // namespace portico::cp::xds
