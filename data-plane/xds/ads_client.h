#pragma once

// The proxy's ADS transport: one gRPC bidi stream to the control plane on a dedicated thread,
// either incremental (DeltaAggregatedResources, driving a DeltaClientCore; the default) or state
// of the world (StreamAggregatedResources, driving an AdsClientCore). When the stream fails it
// reconnects with jittered exponential backoff; meanwhile the last accepted config keeps
// serving.

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "absl/time/time.h"
#include "data-plane/xds/ads_client_core.h"
#include "data-plane/xds/delta_client_core.h"

namespace grpc {
class ChannelCredentials;
class ClientContext;
}  // namespace grpc
namespace prometheus {
class Registry;
class Counter;
class Gauge;
}  // namespace prometheus

namespace portico::dp::xds {

enum class XdsProtocol { kDelta, kSotw };
// "delta" or "sotw" (the --xds_protocol flag); false for anything else.
bool parseXdsProtocol(std::string_view text, XdsProtocol& out);
std::string_view xdsProtocolName(XdsProtocol protocol);

class AdsClient {
 public:
  struct Options {
    std::string target;  // host:port of portico-cp
    // TLS or mTLS to the control plane (channel_credentials.h); null: plaintext.
    std::shared_ptr<grpc::ChannelCredentials> credentials;
    // Name checked against the control plane's certificate instead of the target's host
    // (e.g. when dialing an IP the certificate does not list); empty: the target's host.
    std::string tls_server_name;
    XdsProtocol protocol = XdsProtocol::kDelta;
    std::string node_id;
    std::string group;
    std::string zone;  // node.locality.zone; empty: no locality sent
    absl::Duration backoff_base = absl::Milliseconds(250);
    absl::Duration backoff_max = absl::Seconds(10);
    // Ready even if some RDS/EDS resources never arrive, this long after the first LDS.
    absl::Duration initial_fetch_timeout = absl::Seconds(15);
  };

  AdsClient(Options options, ApplyFn apply, prometheus::Registry& metrics);
  ~AdsClient();

  void start();
  void stop();

  // True once the initial configuration has been applied (see AdsClientCore::initialFetchDone).
  // Any thread. Also true initial_fetch_timeout after the first LDS, even if some resource
  // never arrived (Envoy's initial_fetch_timeout).
  bool ready() const;
  bool connected() const { return connected_.load(); }

 private:
  void run();
  // One stream's life with `core` (AdsClientCore or DeltaClientCore); returns true if it
  // received at least one response.
  template <typename Core>
  bool runStream(Core& core);
  bool initialFetchDone() const;
  void updateReady();

  const Options options_;
  std::unique_ptr<AdsClientCore> sotw_;     // set when options_.protocol is kSotw
  std::unique_ptr<DeltaClientCore> delta_;  // set when options_.protocol is kDelta
  std::atomic<bool> ready_{false};
  std::atomic<bool> connected_{false};
  prometheus::Gauge* connected_gauge_;
  std::array<prometheus::Counter*, portico::xds::kResourceTypeCount> accepted_;
  std::array<prometheus::Counter*, portico::xds::kResourceTypeCount> rejected_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  grpc::ClientContext* context_ = nullptr;  // the stream in flight, for TryCancel()
  std::thread thread_;
  std::atomic<int64_t> first_lds_ms_{0};  // unix ms of the first accepted LDS
  bool told_unimplemented_ = false;       // xDS thread: logged that the stream is not served
  std::string last_failure_;              // xDS thread: the last connect failure logged
};

}  // namespace portico::dp::xds
