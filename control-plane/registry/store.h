#pragma once

// The registry store: service instances with TTL leases. Sources (REST, gRPC) write it; the
// translator reads consistent copies of it. Implementations: MemoryStore (embedded default);
// an etcd store arrives with high availability.

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "portico/registry/v1/registry.pb.h"

namespace portico::cp::registry {

using Instance = portico::registry::v1::Instance;

// Every registered instance, grouped by service name, each group sorted by instance id. A value
// type: the translator works on its own copy.
using RegistryState = std::map<std::string, std::vector<Instance>>;

struct UpsertResult {
  Instance instance;  // as stored, with defaults applied and expires_unix_ms set
  bool created = false;
};

class Store {
 public:
  virtual ~Store() = default;

  // Adds or replaces an instance (already validated) and starts its lease.
  virtual absl::StatusOr<UpsertResult> upsert(const Instance& instance) = 0;
  // Renews the lease. NotFound when the instance is unknown (the caller registers again).
  virtual absl::StatusOr<Instance> heartbeat(const std::string& service, const std::string& id) = 0;
  // NotFound when the instance is unknown.
  virtual absl::Status remove(const std::string& service, const std::string& id) = 0;
  // Instances of one service (empty name: all), sorted by service then id.
  virtual std::vector<Instance> list(const std::string& service) const = 0;
  virtual RegistryState state() const = 0;
  // Removes instances whose lease ended at or before `now`; returns how many.
  virtual int expire(absl::Time now) = 0;

  // Called after every change (from the thread that made it). Set once before use.
  virtual void setOnChange(std::function<void()> on_change) = 0;
};

}  // namespace portico::cp::registry
