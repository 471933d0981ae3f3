#pragma once

// What every connected ADS client was sent, ACKed and NACKed: the data behind
// GET /v1/proxies and `porticoctl proxy-status`. Streams report into it; the admin API reads.

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/time/time.h"
#include "common/xds/type_urls.h"

namespace portico::cp::xds {

// Versions of one type. SotW: the DiscoveryResponse version_info. Delta: the
// DeltaDiscoveryResponse system_version_info, a hash of every (name, version) the client holds
// after that response (see delta_session.h). Either way a client is in sync when acked == sent.
struct ProxyTypeStatus {
  std::string sent_version;
  std::string acked_version;
  std::string nacked_version;
  std::string last_nack_message;
  absl::Time last_nack_time = absl::InfinitePast();
};

// Which ADS variant a client speaks: StreamAggregatedResources or DeltaAggregatedResources.
enum class XdsProtocol { kSotw, kDelta };
// "sotw" / "delta", as shown by GET /v1/proxies.
const char* protocolName(XdsProtocol protocol);

struct ProxyStatus {
  uint64_t stream_id = 0;
  XdsProtocol protocol = XdsProtocol::kSotw;
  std::string node_id;
  std::string group;
  std::string peer;
  std::string identity;  // the verified client certificate's SANs (else CN); empty without mTLS
  std::string user_agent;
  absl::Time connected_since;
  std::array<ProxyTypeStatus, portico::xds::kResourceTypeCount> types;
};

class ProxyTracker {
 public:
  void connected(const ProxyStatus& status);
  void disconnected(uint64_t stream_id);
  void sent(uint64_t stream_id, portico::xds::ResourceType type, const std::string& version);
  void acked(uint64_t stream_id, portico::xds::ResourceType type, const std::string& version);
  void nacked(uint64_t stream_id, portico::xds::ResourceType type, const std::string& version,
              const std::string& message);
  std::vector<ProxyStatus> list() const;

 private:
  mutable std::mutex mu_;
  std::map<uint64_t, ProxyStatus> proxies_ ABSL_GUARDED_BY(mu_);
};

}  // namespace portico::cp::xds
