#include "control-plane/xds/proxy_tracker.h"

#include "absl/time/clock.h"

namespace portico::cp::xds {

using portico::xds::typeIndex;

const char* protocolName(XdsProtocol protocol) {
  return protocol == XdsProtocol::kDelta ? "delta" : "sotw";
}

void ProxyTracker::connected(const ProxyStatus& status) {
  std::lock_guard<std::mutex> lock(mu_);
  proxies_[status.stream_id] = status;
}

void ProxyTracker::disconnected(uint64_t stream_id) {
  std::lock_guard<std::mutex> lock(mu_);
  proxies_.erase(stream_id);
}

void ProxyTracker::sent(uint64_t stream_id, portico::xds::ResourceType type, const std::string& version) {
  std::lock_guard<std::mutex> lock(mu_);
  if (auto it = proxies_.find(stream_id); it != proxies_.end()) {
    it->second.types[typeIndex(type)].sent_version = version;
  }
}

void ProxyTracker::acked(uint64_t stream_id, portico::xds::ResourceType type, const std::string& version) {
  std::lock_guard<std::mutex> lock(mu_);
  if (auto it = proxies_.find(stream_id); it != proxies_.end()) {
    it->second.types[typeIndex(type)].acked_version = version;
  }
}

void ProxyTracker::nacked(uint64_t stream_id, portico::xds::ResourceType type, const std::string& version,
                          const std::string& message) {
  std::lock_guard<std::mutex> lock(mu_);
  if (auto it = proxies_.find(stream_id); it != proxies_.end()) {
    ProxyTypeStatus& status = it->second.types[typeIndex(type)];
    status.nacked_version = version;
    status.last_nack_message = message;
    status.last_nack_time = absl::Now();
  }
}

std::vector<ProxyStatus> ProxyTracker::list() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<ProxyStatus> out;
  out.reserve(proxies_.size());
  for (const auto& [id, status] : proxies_) {
    out.push_back(status);
  }
  return out;
}

}  // namespace portico::cp::xds
