#include "control-plane/xds/delta_stream.h"

#include <grpcpp/server_context.h>

#include "absl/time/clock.h"
#include "common/logging.h"

namespace portico::cp::xds {

DeltaStream::DeltaStream(grpc::CallbackServerContext* context, uint64_t stream_id,
                         SnapshotCache& cache, XdsMetrics& metrics, ProxyTracker& tracker)
    : stream_id_(stream_id),
      peer_(context->peer()),
      cache_(cache),
      metrics_(metrics),
      tracker_(tracker),
      convergence_(metrics.convergence) {
  StartRead(&read_buffer_);
}

void DeltaStream::identify(const DeltaDiscoveryRequest& request) {
  // Only the first request is guaranteed to carry the node.
  identified_ = true;
  node_id_ = request.node().id();
  group_ = request.node().cluster().empty() ? std::string(kDefaultGroup) : request.node().cluster();
  ProxyStatus status;
  status.stream_id = stream_id_;
  status.protocol = XdsProtocol::kDelta;
  status.node_id = node_id_;
  status.group = group_;
  status.peer = peer_;
  status.user_agent = request.node().user_agent_name();
  if (!request.node().user_agent_version().empty()) {
    status.user_agent += "/" + request.node().user_agent_version();
  }
  status.connected_since = absl::Now();
  tracker_.connected(status);
  metrics_.connected_proxies->Increment();
  cache_.add(this, group_);
  PORTICO_LOG(kInfo, "xds: delta stream ", stream_id_, " opened by node \"", node_id_,
              "\" group \"", group_, "\" from ", peer_);
}

void DeltaStream::OnReadDone(bool ok) {
  std::unique_lock<std::mutex> lock(mu_);
  if (!ok) {
    // The client half-closed or the stream broke: finish once queued writes are done.
    reads_done_ = true;
    pump(lock);
    return;
  }
  if (finished_) {
    return;  // a failed write already ended the stream
  }
  request_.Clear();
  if (!decodeMessage(read_buffer_, request_)) {
    PORTICO_LOG(kWarning, "xds: stream ", stream_id_, " sent bytes that are not a request; closing");
    bad_request_ = true;
    reads_done_ = true;
    pump(lock);
    return;
  }
  read_buffer_.Clear();
  if (!identified_) {
    identify(request_);
  }
  handleRequest();
  pump(lock);
  // A large subscription request would keep its names allocated until the next read: release
  // them (the subscription itself is interned in the session).
  if (request_.resource_names_subscribe_size() > 16 || request_.initial_resource_versions_size() > 16) {
    DeltaDiscoveryRequest().Swap(&request_);
  }
  // request_ is only touched by the read in flight, so it can be reused here.
  StartRead(&read_buffer_);
}

void DeltaStream::handleRequest() {
  using Kind = DeltaSession::RequestKind;
  DeltaSession::RequestOutcome outcome = session_.onRequest(request_, cache_.get(group_));
  switch (outcome.kind) {
    case Kind::kUnknownType:
      PORTICO_LOG(kDebug, "xds: delta stream ", stream_id_, " asked for unsupported type ",
                  request_.type_url());
      return;
    case Kind::kAck:
      metrics_.acks[portico::xds::typeIndex(*outcome.type)]->Increment();
      tracker_.acked(stream_id_, *outcome.type, outcome.version);
      convergence_.acked(request_.response_nonce());
      break;
    case Kind::kNack:
      metrics_.nacks[portico::xds::typeIndex(*outcome.type)]->Increment();
      tracker_.nacked(stream_id_, *outcome.type, outcome.version, outcome.nack_message);
      convergence_.nacked(request_.response_nonce());
      PORTICO_LOG(kWarning, "xds: node \"", node_id_, "\" NACKed ",
                  portico::xds::shortName(*outcome.type), " nonce ", request_.response_nonce(),
                  " (version ", outcome.version, "): ", outcome.nack_message);
      break;
    case Kind::kInitial:
    case Kind::kSubscription:
      break;
  }
  if (outcome.response) {
    enqueue(std::move(*outcome.response));
  }
}

void DeltaStream::onSnapshot(const std::string& /*group*/, const SnapshotPtr& snapshot) {
  std::unique_lock<std::mutex> lock(mu_);
  if (finished_) {
    return;
  }
  for (Push& response : session_.onSnapshot(snapshot)) {
    convergence_.pushed(snapshot->changeTime(), response.nonce);
    enqueue(std::move(response));
  }
  pump(lock);
}

void DeltaStream::enqueue(Push response) {
  metrics_.pushes[portico::xds::typeIndex(response.type)]->Increment();
  tracker_.sent(stream_id_, response.type, response.version);
  queue_.push_back(std::move(response));
}

void DeltaStream::pump(std::unique_lock<std::mutex>& lock) {
  if (finished_ || writing_) {
    return;
  }
  if (!queue_.empty()) {
    writing_ = true;
    // write_buffer_ is only touched by whoever set writing_, so it is safe outside the lock.
    write_buffer_ = encodeDelta(queue_.front());
    lock.unlock();
    StartWrite(&write_buffer_);
    lock.lock();
    return;
  }
  if (reads_done_) {
    finished_ = true;
    lock.unlock();
    Finish(bad_request_ ? grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "not a valid request")
                        : grpc::Status::OK);
    lock.lock();
  }
}

void DeltaStream::OnWriteDone(bool ok) {
  std::unique_lock<std::mutex> lock(mu_);
  writing_ = false;
  queue_.pop_front();
  if (!ok) {
    // The stream is broken; drop what is queued and finish.
    queue_.clear();
    reads_done_ = true;
  }
  pump(lock);
}

void DeltaStream::OnDone() {
  bool was_identified;
  {
    std::lock_guard<std::mutex> lock(mu_);
    finished_ = true;
    was_identified = identified_;
  }
  if (was_identified) {
    // remove() waits for any onSnapshot() call in flight, so deleting afterwards is safe.
    cache_.remove(this);
    tracker_.disconnected(stream_id_);
    metrics_.connected_proxies->Decrement();
    PORTICO_LOG(kInfo, "xds: delta stream ", stream_id_, " of node \"", node_id_, "\" closed");
  }
  delete this;
}

}  // namespace portico::cp::xds
