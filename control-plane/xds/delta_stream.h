#pragma once

// One incremental (delta) ADS stream: a gRPC bidi reactor that feeds requests and snapshot
// changes into a DeltaSession and writes what it says, one write in flight at a time. The
// locking and lifetime design is SotwStream's (sotw_stream.h), with the delta messages.
//
// Threading: OnReadDone/OnWriteDone run on gRPC threads and onSnapshot() on the translator
// thread; all state is guarded by mu_. Start*/Finish are called outside mu_ (gRPC may run
// reactions inline), with writing_/finished_ ensuring one owner at a time.

#include <grpcpp/support/byte_buffer.h>
#include <grpcpp/support/server_callback.h>

#include <cstdint>
#include <deque>
#include <mutex>
#include <string>

#include "absl/base/thread_annotations.h"
#include "control-plane/xds/delta_session.h"
#include "control-plane/xds/convergence.h"
#include "control-plane/xds/proxy_tracker.h"
#include "control-plane/xds/snapshot_cache.h"
#include "control-plane/xds/xds_metrics.h"

namespace grpc {
class CallbackServerContext;
}

namespace portico::cp::xds {

class DeltaStream final
    : public grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>,
      public SnapshotWatcher {
 public:
  DeltaStream(grpc::CallbackServerContext* context, uint64_t stream_id, SnapshotCache& cache,
              XdsMetrics& metrics, ProxyTracker& tracker);

  // grpc::ServerBidiReactor
  void OnReadDone(bool ok) override;
  void OnWriteDone(bool ok) override;
  void OnDone() override;

  // SnapshotWatcher
  void onSnapshot(const std::string& group, const SnapshotPtr& snapshot) override;

 private:
  void handleRequest() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void identify(const DeltaDiscoveryRequest& request) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void enqueue(Push response) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Decides under mu_ whether to start a write or finish; performs it after unlocking.
  void pump(std::unique_lock<std::mutex>& lock) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const uint64_t stream_id_;
  const std::string peer_;
  SnapshotCache& cache_;
  XdsMetrics& metrics_;
  ProxyTracker& tracker_;

  std::mutex mu_;
  ConvergenceTracker convergence_ ABSL_GUARDED_BY(mu_);
  DeltaSession session_ ABSL_GUARDED_BY(mu_);
  grpc::ByteBuffer read_buffer_;  // owned by the read in flight
  DeltaDiscoveryRequest request_;           // read_buffer_ decoded, while it is handled
  std::deque<Push> queue_ ABSL_GUARDED_BY(mu_);
  grpc::ByteBuffer write_buffer_;  // the write in flight (queue_.front() encoded)
  bool bad_request_ ABSL_GUARDED_BY(mu_) = false;
  bool identified_ ABSL_GUARDED_BY(mu_) = false;
  std::string node_id_ ABSL_GUARDED_BY(mu_);
  std::string group_ ABSL_GUARDED_BY(mu_);
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool reads_done_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace portico::cp::xds
