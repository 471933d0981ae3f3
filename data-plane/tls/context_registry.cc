#include "data-plane/tls/context_registry.h"

#include "absl/container/flat_hash_set.h"
#include "common/strings.h"

namespace portico::dp::tls {

ContextRegistry::ContextRegistry(prometheus::Registry* registry)
    : metrics_(std::make_shared<TlsMetrics>(registry)) {}

std::shared_ptr<ContextSlot> ContextRegistry::slotFor(
    const std::string& listener,
    const envoy::extensions::transport_sockets::tls::v3::DownstreamTlsContext& context,
    const std::string& where, std::vector<std::string>& errors) {
  // The serialized message is the settings' identity (it carries the file names, not their
  // contents: the contents are the reload thread's business).
  const std::string key = cat(listener, "\n", context.SerializeAsString());
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = slots_.find(key); it != slots_.end()) {
      if (std::shared_ptr<ContextSlot> slot = it->second.lock()) return slot;
    }
  }
  const size_t errors_before = errors.size();
  TlsSettings settings = compileTlsSettings(context, listener, where, errors);
  if (errors.size() != errors_before) return nullptr;
  auto stats = std::make_shared<const ListenerTlsStats>(metrics_, listener);
  absl::StatusOr<ServerContext::SharedPtr> built = ServerContext::create(settings, stats);
  if (!built.ok()) {
    errors.push_back(std::string(built.status().message()));
    return nullptr;
  }
  auto slot = std::make_shared<ContextSlot>(std::move(settings), std::move(stats), std::move(*built));
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = slots_.begin(); it != slots_.end();) {  // forget freed slots
    if (it->second.expired()) {
      slots_.erase(it++);
    } else {
      ++it;
    }
  }
  slots_[key] = slot;
  return slot;
}

std::vector<std::shared_ptr<ContextSlot>> ContextRegistry::live() {
  std::vector<std::shared_ptr<ContextSlot>> out;
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [key, weak] : slots_) {
    if (std::shared_ptr<ContextSlot> slot = weak.lock()) out.push_back(std::move(slot));
  }
  return out;
}

void ContextRegistry::reloadChanged() {
  // Outside the mutex: a reload reads files and parses keys.
  for (const std::shared_ptr<ContextSlot>& slot : live()) slot->reloadIfChanged();
}

}  // namespace portico::dp::tls
