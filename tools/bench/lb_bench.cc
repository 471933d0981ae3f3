// lb-bench: the cost of one load-balancing pick per policy over 10 and 1,000 endpoints, through
// WorkerBalancers::pick (what Worker::pickEndpoint runs per request: clock read, health view,
// panic and zone decisions, the policy), with equal and with mixed weights (least_request
// switches from power-of-two choices to EDF when weights differ), with 30% of the endpoints
// unhealthy, and the cost of each policy's tables at snapshot compile time: built, or taken from
// the TableCache when the cluster's endpoints did not change (every other cluster of a snapshot
// when one cluster's EDS changes).
// Numbers go to docs/benchmarks.md; nothing is asserted.
//
//   build/bin/lb-bench [--benchmark_filter=Pick] [--benchmark_min_time=1]

#include <benchmark/benchmark.h>

#include <boost/asio/ip/address_v4.hpp>

#include <memory>
#include <vector>

#include "common/strings.h"
#include "data-plane/upstream/cluster.h"
#include "data-plane/upstream/lb/lb_tables.h"
#include "data-plane/upstream/lb/worker_balancers.h"

namespace portico::dp::upstream::lb {
namespace {

const char* const kPolicyNames[] = {"round_robin", "least_request", "random", "ring_hash", "maglev"};

Cluster makeCluster(int n, LbPolicy policy, bool mixed_weights, double unhealthy_share = 0) {
  Cluster cluster;
  cluster.name = "bench";
  cluster.index = 0;
  cluster.lb.policy = policy;
  cluster.state = std::make_shared<ClusterState>();
  for (int i = 0; i < n; ++i) {
    Endpoint endpoint;
    const auto address = boost::asio::ip::address_v4((10u << 24) | static_cast<uint32_t>(i + 1));
    endpoint.address = boost::asio::ip::tcp::endpoint(address, 8080);
    endpoint.key = cat(address.to_string(), ":8080");
    endpoint.weight = mixed_weights ? 1 + static_cast<uint32_t>(i % 5) : 1;
    endpoint.state = std::make_shared<EndpointState>();
    endpoint.state->health_check_failed = i < static_cast<int>(unhealthy_share * n);
    cluster.endpoints.push_back(std::move(endpoint));
  }
  buildLbTables(cluster);
  return cluster;
}

void pickLoop(benchmark::State& state, const Cluster& cluster) {
  WorkerBalancers balancers(0, 1);
  balancers.reset(1);
  uint64_t key = 0;
  for (auto _ : state) {
    PickContext context;
    context.hash = (++key) * 0x9E3779B97F4A7C15ULL;  // a new request hash each time (ignored by non-hashing policies)
    benchmark::DoNotOptimize(balancers.pick(cluster, context));
  }
  state.SetLabel(kPolicyNames[static_cast<int>(cluster.lb.policy)]);
}

// Args: policy, endpoints, mixed weights (0/1).
void BM_Pick(benchmark::State& state) {
  const Cluster cluster = makeCluster(static_cast<int>(state.range(1)), static_cast<LbPolicy>(state.range(0)),
                                      state.range(2) != 0);
  pickLoop(state, cluster);
}

// 30% of the endpoints unhealthy (above the default 50% panic threshold: skipped, not panic).
void BM_PickSomeUnhealthy(benchmark::State& state) {
  const Cluster cluster =
      makeCluster(static_cast<int>(state.range(1)), static_cast<LbPolicy>(state.range(0)), false, 0.3);
  pickLoop(state, cluster);
}

// Args: policy, endpoints. The tables a snapshot compile builds for a cluster whose endpoints
// changed (no cache).
void BM_BuildTables(benchmark::State& state) {
  Cluster cluster = makeCluster(static_cast<int>(state.range(1)), static_cast<LbPolicy>(state.range(0)), true);
  for (auto _ : state) {
    buildLbTables(cluster);
    benchmark::DoNotOptimize(cluster.schedule.get());
  }
  state.SetLabel(kPolicyNames[static_cast<int>(cluster.lb.policy)]);
}

// Args: policy, endpoints. The same for a cluster whose endpoints did not change: the previous
// snapshot (`held`) still holds its tables, so the cache returns them (key building + lookup).
void BM_BuildTablesUnchanged(benchmark::State& state) {
  TableCache cache;
  Cluster held = makeCluster(static_cast<int>(state.range(1)), static_cast<LbPolicy>(state.range(0)), true);
  buildLbTables(held, &cache);
  Cluster cluster = held;
  for (auto _ : state) {
    buildLbTables(cluster, &cache);
    benchmark::DoNotOptimize(cluster.schedule.get());
  }
  state.SetLabel(kPolicyNames[static_cast<int>(cluster.lb.policy)]);
}

// For reference: the steady-clock read every pick makes (ejections are time-based).
void BM_SteadyClock(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(EndpointState::nowNs());
}

void pickArgs(benchmark::internal::Benchmark* b) {
  b->ArgNames({"policy", "endpoints", "mixed"});
  for (int policy = 0; policy < 5; ++policy) {
    for (int n : {10, 1000}) {
      for (int mixed : {0, 1}) b->Args({policy, n, mixed});
    }
  }
}

void unhealthyArgs(benchmark::internal::Benchmark* b) {
  b->ArgNames({"policy", "endpoints"});
  for (int policy = 0; policy < 5; ++policy) b->Args({policy, 1000});
}

void buildArgs(benchmark::internal::Benchmark* b) {
  b->ArgNames({"policy", "endpoints"});
  b->Unit(benchmark::kMicrosecond);
  for (int policy = 0; policy < 5; ++policy) {
    for (int n : {10, 1000}) b->Args({policy, n});
  }
}

BENCHMARK(BM_SteadyClock);
BENCHMARK(BM_Pick)->Apply(pickArgs);
BENCHMARK(BM_PickSomeUnhealthy)->Apply(unhealthyArgs);
BENCHMARK(BM_BuildTables)->Apply(buildArgs);
BENCHMARK(BM_BuildTablesUnchanged)->Apply(buildArgs);

}  // namespace
}  // namespace portico::dp::upstream::lb

BENCHMARK_MAIN();
