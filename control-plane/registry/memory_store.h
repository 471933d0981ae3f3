#pragma once

// In-memory registry store: the embedded default. Registrations are lost when the control plane
// restarts; instances recover because a heartbeat for an unknown instance returns NotFound and
// the instance registers again.

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "control-plane/registry/store.h"

namespace portico::cp::registry {

class MemoryStore : public Store {
 public:
  using Clock = std::function<absl::Time()>;
  // `clock` is injectable for tests; defaults to absl::Now.
  explicit MemoryStore(Clock clock = nullptr);

  absl::StatusOr<UpsertResult> upsert(const Instance& instance) override;
  absl::StatusOr<Instance> heartbeat(const std::string& service, const std::string& id) override;
  absl::Status remove(const std::string& service, const std::string& id) override;
  std::vector<Instance> list(const std::string& service) const override;
  RegistryState state() const override;
  int expire(absl::Time now) override;
  void setOnChange(std::function<void()> on_change) override;

 private:
  using Key = std::pair<std::string, std::string>;  // (service, id): map order = list order
  void notify();
  int64_t leaseEnd(const Instance& instance) const;

  Clock clock_;
  std::function<void()> on_change_;
  mutable std::mutex mu_;
  std::map<Key, Instance> instances_ ABSL_GUARDED_BY(mu_);
};

}  // namespace portico::cp::registry
