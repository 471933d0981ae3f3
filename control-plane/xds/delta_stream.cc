#include "control-plane/xds/delta_stream.h"

#include "common/logging.h"

namespace portico::cp::xds {

DeltaStream::DeltaStream(grpc::CallbackServerContext* context, uint64_t stream_id, SnapshotCache& cache,
                         XdsMetrics& metrics, ProxyTracker& tracker)
    : AdsStream(context, stream_id, cache, metrics, tracker, XdsProtocol::kDelta) {
  start();
}

bool DeltaStream::decode(const grpc::ByteBuffer& bytes) {
  request_.Clear();
  return decodeMessage(bytes, request_);
}

void DeltaStream::handle(const SnapshotPtr& snapshot) {
  using Kind = DeltaSession::RequestKind;
  DeltaSession::RequestOutcome outcome = session_.onRequest(request_, snapshot);
  switch (outcome.kind) {
    case Kind::kUnknownType:
      PORTICO_LOG(kDebug, "xds: delta stream ", streamId(), " asked for unsupported type ", request_.type_url());
      return;
    case Kind::kAck:
      acked(*outcome.type, outcome.version, request_.response_nonce());
      break;
    case Kind::kNack:
      nacked(*outcome.type, outcome.version, request_.response_nonce(), outcome.nack_message);
      break;
    case Kind::kInitial:
    case Kind::kSubscription:
      break;
  }
  if (outcome.response) {
    enqueue(std::move(*outcome.response));
  }
}

void DeltaStream::releaseRequest() {
  // A large subscription request would keep its names allocated until the next read (the
  // subscription itself is interned in the session).
  if (request_.resource_names_subscribe_size() > 16 || request_.initial_resource_versions_size() > 16) {
    DeltaDiscoveryRequest().Swap(&request_);
  }
}

}  // namespace portico::cp::xds
