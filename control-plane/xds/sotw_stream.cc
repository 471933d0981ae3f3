#include "control-plane/xds/sotw_stream.h"

#include "common/logging.h"

namespace portico::cp::xds {

SotwStream::SotwStream(grpc::CallbackServerContext* context, uint64_t stream_id, SnapshotCache& cache,
                       XdsMetrics& metrics, ProxyTracker& tracker)
    : AdsStream(context, stream_id, cache, metrics, tracker, XdsProtocol::kSotw) {
  start();
}

bool SotwStream::decode(const grpc::ByteBuffer& bytes) {
  request_.Clear();
  return decodeMessage(bytes, request_);
}

void SotwStream::handle(const SnapshotPtr& snapshot) {
  using Kind = SotwSession::RequestKind;
  SotwSession::RequestOutcome outcome = session_.onRequest(request_, snapshot);
  switch (outcome.kind) {
    case Kind::kUnknownType:
      PORTICO_LOG(kDebug, "xds: stream ", streamId(), " asked for unsupported type ", request_.type_url());
      return;
    case Kind::kStale:
      PORTICO_LOG(kDebug, "xds: stream ", streamId(), " stale nonce ", request_.response_nonce());
      return;
    case Kind::kAck:
      acked(*outcome.type, outcome.version, request_.response_nonce());
      break;
    case Kind::kNack:
      nacked(*outcome.type, outcome.version, request_.response_nonce(), outcome.nack_message);
      break;
    case Kind::kInitial:
      break;
  }
  if (outcome.response) {
    enqueue(std::move(*outcome.response));
  }
}

}  // namespace portico::cp::xds
