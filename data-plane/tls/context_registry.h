#pragma once

// Hands out the ContextSlot of each TLS listener so that a TLS context outlives the snapshot it
// was built for: compiling a snapshot asks for the slot of (listener name, DownstreamTlsContext
// as serialized) and gets the same slot, with its current context, as long as a live snapshot
// holds it. Only new or changed TLS settings read the PEM files at compile time; an update
// that changes something else (an endpoint, a route) keeps the context, its session ticket keys
// and its session cache, so clients keep resuming. File changes are the reload thread's job
// (reloadChanged()).
//
// The registry holds weak references only (like upstream::StateRegistry): a slot no snapshot
// holds any more is freed, and nothing reloads it.
//
// Threading: slotFor() on the xDS thread; reloadChanged() on the reload thread; live() from
// any thread. A mutex guards the map; building a context happens outside it.

#include <prometheus/registry.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "data-plane/tls/context_slot.h"
#include "data-plane/tls/tls_stats.h"
#include "envoy/extensions/transport_sockets/tls/v3/tls.pb.h"

namespace portico::dp::tls {

class ContextRegistry {
 public:
  // `registry`: where the TLS counters go; null: a private one (tests, tools).
  explicit ContextRegistry(prometheus::Registry* registry = nullptr);

  // The slot for listener `listener` terminating TLS with `context`: the live one for the same
  // settings, else a new one whose context is built now. On any problem appends one message
  // per problem (each starting with `where`, the typed_config's field path, and naming the file)
  // to `errors` and returns null.
  std::shared_ptr<ContextSlot> slotFor(
      const std::string& listener,
      const envoy::extensions::transport_sockets::tls::v3::DownstreamTlsContext& context,
      const std::string& where, std::vector<std::string>& errors);

  // Reload thread: ContextSlot::reloadIfChanged() on every live slot.
  void reloadChanged();

  // The live slots (admin, tests).
  std::vector<std::shared_ptr<ContextSlot>> live();

 private:
  std::shared_ptr<TlsMetrics> metrics_;
  std::mutex mu_;
  absl::flat_hash_map<std::string, std::weak_ptr<ContextSlot>> slots_ ABSL_GUARDED_BY(mu_);
};

}  // namespace portico::dp::tls
