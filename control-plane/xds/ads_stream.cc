#include "control-plane/xds/ads_stream.h"

#include <grpcpp/security/auth_context.h>
#include <grpcpp/server_context.h>

#include "absl/time/clock.h"
#include "common/logging.h"

namespace portico::cp::xds {

namespace {

// The verified client certificate's identity (its SAN entries, else its CN), comma-separated;
// empty on a plaintext or server-only TLS connection.
std::string peerIdentity(const grpc::CallbackServerContext* context) {
  std::shared_ptr<const grpc::AuthContext> auth = context->auth_context();
  if (!auth || !auth->IsPeerAuthenticated()) {
    return "";
  }
  std::string out;
  for (const grpc::string_ref& name : auth->GetPeerIdentity()) {
    if (!out.empty()) out += ",";
    out.append(name.data(), name.size());
  }
  return out;
}

}  // namespace

AdsStream::AdsStream(grpc::CallbackServerContext* context, uint64_t stream_id, SnapshotCache& cache,
                     XdsMetrics& metrics, ProxyTracker& tracker, XdsProtocol protocol)
    : stream_id_(stream_id),
      peer_(context->peer()),
      identity_(peerIdentity(context)),
      protocol_(protocol),
      cache_(cache),
      metrics_(metrics),
      tracker_(tracker),
      convergence_(metrics.convergence) {}

void AdsStream::start() { StartRead(&read_buffer_); }

void AdsStream::identify() {
  const envoy::config::core::v3::Node& node = this->node();
  identified_ = true;
  node_id_ = node.id();
  group_ = node.cluster().empty() ? std::string(kDefaultGroup) : node.cluster();
  ProxyStatus status;
  status.stream_id = stream_id_;
  status.protocol = protocol_;
  status.node_id = node_id_;
  status.group = group_;
  status.peer = peer_;
  status.identity = identity_;
  status.user_agent = node.user_agent_name();
  if (!node.user_agent_version().empty()) {
    status.user_agent += "/" + node.user_agent_version();
  }
  status.connected_since = absl::Now();
  tracker_.connected(status);
  metrics_.connected_proxies->Increment();
  cache_.add(this, group_);
  PORTICO_LOG(kInfo, "xds: ", protocolName(protocol_), " stream ", stream_id_, " opened by node \"", node_id_,
              "\" group \"", group_, "\" from ", peer_,
              identity_.empty() ? std::string() : " (client certificate " + identity_ + ")");
}

void AdsStream::OnReadDone(bool ok) {
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
  if (!decode(read_buffer_)) {
    PORTICO_LOG(kWarning, "xds: stream ", stream_id_, " sent bytes that are not a request; closing");
    bad_request_ = true;
    reads_done_ = true;
    pump(lock);
    return;
  }
  read_buffer_.Clear();
  if (!identified_) {
    identify();
  }
  handle(cache_.get(group_));
  releaseRequest();
  pump(lock);
  // read_buffer_ is only touched by the read in flight, so it can be reused here.
  StartRead(&read_buffer_);
}

void AdsStream::acked(ResourceType type, const std::string& version, const std::string& nonce) {
  metrics_.acks[portico::xds::typeIndex(type)]->Increment();
  tracker_.acked(stream_id_, type, version);
  convergence_.acked(nonce);
}

void AdsStream::nacked(ResourceType type, const std::string& version, const std::string& nonce,
                       const std::string& message) {
  metrics_.nacks[portico::xds::typeIndex(type)]->Increment();
  tracker_.nacked(stream_id_, type, version, message);
  convergence_.nacked(nonce);
  PORTICO_LOG(kWarning, "xds: node \"", node_id_, "\" NACKed ", portico::xds::shortName(type), " nonce ", nonce,
              " (version ", version, "): ", message);
}

void AdsStream::onSnapshot(const std::string& /*group*/, const SnapshotPtr& snapshot) {
  std::unique_lock<std::mutex> lock(mu_);
  if (finished_) {
    return;
  }
  for (Push& push : pushesFor(snapshot)) {
    convergence_.pushed(snapshot->changeTime(), push.nonce);
    enqueue(std::move(push));
  }
  pump(lock);
}

void AdsStream::enqueue(Push push) {
  metrics_.pushes[portico::xds::typeIndex(push.type)]->Increment();
  tracker_.sent(stream_id_, push.type, push.version);
  queue_.push_back(std::move(push));
}

void AdsStream::pump(std::unique_lock<std::mutex>& lock) {
  if (finished_ || writing_) {
    return;
  }
  if (!queue_.empty()) {
    writing_ = true;
    // write_buffer_ is only touched by whoever set writing_, so it is safe outside the lock.
    write_buffer_ = encode(queue_.front());
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

void AdsStream::OnWriteDone(bool ok) {
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

void AdsStream::OnDone() {
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
    PORTICO_LOG(kInfo, "xds: ", protocolName(protocol_), " stream ", stream_id_, " of node \"", node_id_,
                "\" closed");
  }
  delete this;
}

}  // namespace portico::cp::xds
