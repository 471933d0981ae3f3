#include "control-plane/registry/memory_store.h"

#include "common/strings.h"

namespace portico::cp::registry {

MemoryStore::MemoryStore(Clock clock) : clock_(clock ? std::move(clock) : Clock([] { return absl::Now(); })) {}

void MemoryStore::setOnChange(std::function<void()> on_change) { on_change_ = std::move(on_change); }

void MemoryStore::notify() {
  if (on_change_) {
    on_change_();
  }
}

int64_t MemoryStore::leaseEnd(const Instance& instance) const {
  return absl::ToUnixMillis(clock_() + absl::Seconds(instance.ttl_seconds()));
}

absl::StatusOr<UpsertResult> MemoryStore::upsert(const Instance& instance) {
  UpsertResult result;
  {
    std::lock_guard<std::mutex> lock(mu_);
    Key key{instance.service(), instance.id()};
    result.created = instances_.find(key) == instances_.end();
    Instance& stored = instances_[key];
    stored = instance;
    stored.set_expires_unix_ms(leaseEnd(stored));
    result.instance = stored;
  }
  notify();
  return result;
}

absl::StatusOr<Instance> MemoryStore::heartbeat(const std::string& service, const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = instances_.find(Key{service, id});
  if (it == instances_.end()) {
    return absl::NotFoundError(cat("instance \"", id, "\" of service \"", service,
                                   "\" is not registered (expired or never registered); register it again"));
  }
  // A heartbeat changes no endpoint, so no notify(): nothing downstream needs to recompute.
  it->second.set_expires_unix_ms(leaseEnd(it->second));
  return it->second;
}

absl::Status MemoryStore::remove(const std::string& service, const std::string& id) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (instances_.erase(Key{service, id}) == 0) {
      return absl::NotFoundError(cat("instance \"", id, "\" of service \"", service, "\" is not registered"));
    }
  }
  notify();
  return absl::OkStatus();
}

std::vector<Instance> MemoryStore::list(const std::string& service) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Instance> out;
  for (const auto& [key, instance] : instances_) {
    if (service.empty() || key.first == service) {
      out.push_back(instance);
    }
  }
  return out;
}

RegistryState MemoryStore::state() const {
  std::lock_guard<std::mutex> lock(mu_);
  RegistryState out;
  for (const auto& [key, instance] : instances_) {
    out[key.first].push_back(instance);
  }
  return out;
}

int MemoryStore::expire(absl::Time now) {
  int removed = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    const int64_t now_ms = absl::ToUnixMillis(now);
    for (auto it = instances_.begin(); it != instances_.end();) {
      if (it->second.expires_unix_ms() <= now_ms) {
        it = instances_.erase(it);
        ++removed;
      } else {
        ++it;
      }
    }
  }
  if (removed > 0) {
    notify();
  }
  return removed;
}

}  // namespace portico::cp::registry
