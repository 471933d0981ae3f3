#pragma once

// What SotW and delta ADS streams share: a raw gRPC bidi reactor (grpc::ByteBuffer in and out)
// that decodes requests, hands them and snapshot changes to a protocol session, and writes the
// resulting Pushes one at a time; plus the node's identity, proxy status, metrics and
// convergence bookkeeping. SotwStream and DeltaStream supply the protocol (session, request
// type, encoding).
//
// Threading: OnReadDone/OnWriteDone run on gRPC threads and onSnapshot() on the translator
// thread; all state is guarded by mu_. Start*/Finish are called outside mu_ (gRPC may run
// reactions inline), with writing_/finished_ ensuring one owner at a time.

#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include <grpcpp/support/byte_buffer.h>
#include <grpcpp/support/server_callback.h>

#include "absl/base/thread_annotations.h"
#include "control-plane/xds/convergence.h"
#include "control-plane/xds/proxy_tracker.h"
#include "control-plane/xds/snapshot_cache.h"
#include "control-plane/xds/wire.h"
#include "control-plane/xds/xds_metrics.h"
#include "envoy/config/core/v3/base.pb.h"

namespace grpc {
class CallbackServerContext;
}

namespace portico::cp::xds {

class AdsStream : public grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>, public SnapshotWatcher {
 public:
  // grpc::ServerBidiReactor
  void OnReadDone(bool ok) final;
  void OnWriteDone(bool ok) final;
  void OnDone() final;

  // SnapshotWatcher
  void onSnapshot(const std::string& group, const SnapshotPtr& snapshot) final;

 protected:
  AdsStream(grpc::CallbackServerContext* context, uint64_t stream_id, SnapshotCache& cache, XdsMetrics& metrics,
            ProxyTracker& tracker, XdsProtocol protocol);
  // Starts the first read; the derived constructor calls it once its members exist.
  void start();

  // Protocol hooks, called under mu_.
  // Parses `bytes` into the derived request; false when they are not a valid request.
  virtual bool decode(const grpc::ByteBuffer& bytes) = 0;
  // The node of the decoded request (only the first request is guaranteed to carry it).
  virtual const envoy::config::core::v3::Node& node() const = 0;
  // Handles the decoded request (the current snapshot is given); reports ACK/NACK through
  // acked()/nacked() and queues responses through enqueue().
  virtual void handle(const SnapshotPtr& snapshot) = 0;
  // Frees what the decoded request holds once handled.
  virtual void releaseRequest() {}
  virtual std::vector<Push> pushesFor(const SnapshotPtr& snapshot) = 0;
  virtual grpc::ByteBuffer encode(const Push& push) const = 0;

  void enqueue(Push push) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void acked(ResourceType type, const std::string& version, const std::string& nonce)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void nacked(ResourceType type, const std::string& version, const std::string& nonce, const std::string& message)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  uint64_t streamId() const { return stream_id_; }

  std::mutex mu_;

 private:
  void identify() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Decides under mu_ whether to start a write or finish; performs it after unlocking.
  void pump(std::unique_lock<std::mutex>& lock) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const uint64_t stream_id_;
  const std::string peer_;
  const std::string identity_;  // verified client certificate names; empty without mTLS
  const XdsProtocol protocol_;
  SnapshotCache& cache_;
  XdsMetrics& metrics_;
  ProxyTracker& tracker_;

  ConvergenceTracker convergence_ ABSL_GUARDED_BY(mu_);
  grpc::ByteBuffer read_buffer_;   // owned by the read in flight
  grpc::ByteBuffer write_buffer_;  // the write in flight (queue_.front() encoded)
  std::deque<Push> queue_ ABSL_GUARDED_BY(mu_);
  bool identified_ ABSL_GUARDED_BY(mu_) = false;
  std::string node_id_ ABSL_GUARDED_BY(mu_);
  std::string group_ ABSL_GUARDED_BY(mu_);
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool reads_done_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  bool bad_request_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace portico::cp::xds
