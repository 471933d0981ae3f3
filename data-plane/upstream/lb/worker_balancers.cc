#include "data-plane/upstream/lb/worker_balancers.h"

namespace portico::dp::upstream::lb {

WorkerBalancers::WorkerBalancers(uint32_t worker_index, uint64_t seed)
    : worker_index_(worker_index), random_(seed) {}

void WorkerBalancers::reset(size_t cluster_count) {
  slots_.clear();
  slots_.resize(cluster_count);
}

// A retry of a request that started on the previous snapshot may still pick from that
// snapshot's cluster: a slot built for another Cluster object is rebuilt (rare, and only
// around a swap) rather than reused with the wrong tables.
WorkerBalancers::Slot& WorkerBalancers::slotFor(const Cluster& cluster) {
  const auto index = static_cast<size_t>(cluster.index);
  if (index >= slots_.size()) slots_.resize(index + 1);
  Slot& slot = slots_[index];
  if (slot.cluster != &cluster) {
    slot = Slot{};
    slot.cluster = &cluster;
    slot.balancer = createLoadBalancer(cluster, worker_index_);
    slot.view.init(cluster, cluster.lb.zone_aware ? options_.local_zone : std::string_view());
    slot.panic = options_.stats != nullptr ? options_.stats->panicCounter(cluster.name) : nullptr;
  }
  return slot;
}

HostFilter::Zone WorkerBalancers::chooseZone(const Slot& slot, const Cluster& cluster) {
  if (!cluster.lb.zone_aware || options_.local_zone.empty() || slot.balancer->consistentHashing()) {
    return HostFilter::Zone::kAny;
  }
  const double share = localShare(slot.view.counts(), cluster.lb);
  if (share <= 0 || random_.unit() * 100.0 >= cluster.lb.zone_routing_enabled) return HostFilter::Zone::kAny;
  return share >= 1 || random_.unit() < share ? HostFilter::Zone::kLocal : HostFilter::Zone::kRemote;
}

// Relaxes the filter step by step until something is eligible: first the zone (any zone
// rather than none), then the retry's avoided endpoints (one tried before rather than none).
const Endpoint* WorkerBalancers::pickWith(Slot& slot, HostFilter& filter, const PickContext& context) {
  const Endpoint* endpoint = slot.balancer->pick(filter, context, random_);
  if (endpoint == nullptr && filter.zone != HostFilter::Zone::kAny) {
    filter.zone = HostFilter::Zone::kAny;
    endpoint = slot.balancer->pick(filter, context, random_);
  }
  if (endpoint == nullptr && filter.avoiding != nullptr) {
    filter.avoiding = nullptr;
    endpoint = slot.balancer->pick(filter, context, random_);
  }
  return endpoint;
}

const Endpoint* WorkerBalancers::pick(const Cluster& cluster, const PickContext& context, int64_t now_ns) {
  if (cluster.endpoints.empty() || cluster.index < 0) return nullptr;
  Slot& slot = slotFor(cluster);
  if (slot.view.due(now_ns)) slot.view.refresh(cluster, now_ns);
  HostFilter filter;
  filter.endpoints = &cluster.endpoints;
  filter.now_ns = now_ns;
  filter.avoiding = context.avoidsAny() ? &context : nullptr;
  filter.local = slot.view.local();
  filter.panic = inPanic(slot.view.counts(), cluster.lb.healthy_panic_threshold);
  if (!filter.panic) filter.zone = chooseZone(slot, cluster);
  const Endpoint* endpoint = pickWith(slot, filter, context);
  if (endpoint == nullptr && !filter.panic) {
    // Nothing healthy although the view said enough were: it is stale. Recount, and balance
    // over everything if that puts the cluster in panic.
    slot.view.refresh(cluster, now_ns);
    if (inPanic(slot.view.counts(), cluster.lb.healthy_panic_threshold)) {
      filter = HostFilter{&cluster.endpoints, now_ns, true, context.avoidsAny() ? &context : nullptr};
      endpoint = pickWith(slot, filter, context);
    }
  }
  if (endpoint != nullptr && filter.panic && slot.panic != nullptr) slot.panic->inc(static_cast<int>(worker_index_));
  return endpoint;
}

}  // namespace portico::dp::upstream::lb
