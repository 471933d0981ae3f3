#pragma once

// API consumers (Kong's consumers): who a request comes from, once key-auth or a JWT claim has
// identified it. Compiled per listener from the portico.filters.consumers.v1.Consumers companion
// filter; immutable once the snapshot is built; shared by all workers.

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "data-plane/http/filter.h"

namespace portico::filters::consumers::v1 {
class Consumers;
}

namespace portico::dp::http {

// A consumer's replacement for one filter's route config (Kong: consumer > route > service >
// global), resolved to the listener's chain by the snapshot compiler.
struct ConsumerOverride {
  size_t chain_index = 0;  // the filter's position in the listener's http_filters
  bool disabled = false;   // the plugin is switched off for this consumer
  FilterRouteConfigConstSharedPtr config;
};

struct Consumer {
  std::string name;
  std::vector<std::string> groups;
  std::vector<ConsumerOverride> overrides;  // sorted by chain_index
  // A filter this proxy does not implement that a plugin override enables for this consumer:
  // once identified, the consumer's requests are refused (fail closed), not served without it.
  std::string blocked_by_filter;

  bool inGroup(std::string_view group) const;
  // The override of the filter at `chain_index`, or null.
  const ConsumerOverride* overrideFor(size_t chain_index) const;
};

class ConsumerTable {
 public:
  // Validates (unique names, 64-hex-digit key hashes used by one consumer only) and indexes.
  static absl::StatusOr<std::shared_ptr<ConsumerTable>> create(
      const portico::filters::consumers::v1::Consumers& config);

  // `sha256`: the 32 raw bytes of an API key's SHA-256. Null when no consumer holds the key.
  const Consumer* byKeyHash(std::string_view sha256) const;
  const Consumer* byName(std::string_view name) const;
  size_t size() const { return consumers_.size(); }

  // Compile time only (xDS thread, before the snapshot is published).
  std::vector<Consumer>& mutableConsumers() { return consumers_; }

 private:
  std::vector<Consumer> consumers_;  // never resized after create(): the maps point into it
  absl::flat_hash_map<std::string, const Consumer*> by_key_hash_;  // raw digest → consumer
  absl::flat_hash_map<std::string, const Consumer*> by_name_;
};

// SHA-256 of `data`, 32 raw bytes.
std::string sha256(std::string_view data);

}  // namespace portico::dp::http
