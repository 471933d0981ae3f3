// route-lookup-bench: Google Benchmark micro-benchmarks of RouteTable::match among 10, 1,000
// and 10,000 routes (issue 4). Each case reports allocations per lookup (a counting global
// operator new) next to the time, and the linear scan (Envoy's algorithm) for comparison.
//
// Run: build/bin/route-lookup-bench [--benchmark_min_time=0.2]

#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "common/strings.h"
#include "data-plane/router/route_table.h"

namespace {
std::atomic<size_t> g_allocations{0};
}  // namespace

void* operator new(size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }

namespace {

using portico::cat;
using portico::dp::router::RequestView;
using portico::dp::router::Route;
using portico::dp::router::RouteTable;
using portico::dp::router::VirtualHost;

// `routes` prefix routes "/svcN/" in one virtual host, as portico-cp emits for N services;
// with `regex_every` > 0, every that-many-th route is a regex route instead.
std::unique_ptr<RouteTable> table(int routes, int regex_every = 0) {
  VirtualHost vhost;
  vhost.name = "api";
  vhost.domains = {"api.example.com", "*.example.com"};
  for (int i = 0; i < routes; ++i) {
    Route route;
    route.name = cat("svc", i);
    if (regex_every > 0 && i % regex_every == 0) {
      route.path_match = Route::PathMatch::kRegex;
      route.regex = std::make_shared<re2::RE2>(cat("/rx", i, "/[0-9]+"));
    } else {
      route.path = cat("/svc", i, "/");
    }
    vhost.routes.push_back(std::move(route));
  }
  return std::make_unique<RouteTable>("bench", std::vector<VirtualHost>{vhost});
}

template <bool kLinear>
void lookup(benchmark::State& state, int regex_every) {
  const int routes = static_cast<int>(state.range(0));
  auto routes_table = table(routes, regex_every);
  // The route in the middle: the linear scan's average case.
  const std::string path = cat("/svc", routes / 2 + 1, "/orders/42");
  RequestView request;
  request.method = "GET";
  request.path = path;
  const size_t before = g_allocations.load();
  for (auto _ : state) {
    const Route* found = kLinear ? routes_table->matchLinear("api.example.com", request)
                                 : routes_table->match("api.example.com", request);
    benchmark::DoNotOptimize(found);
  }
  state.counters["allocs_per_lookup"] =
      static_cast<double>(g_allocations.load() - before) / static_cast<double>(state.iterations());
}

void BM_PrefixIndexed(benchmark::State& state) { lookup<false>(state, 0); }
void BM_PrefixLinear(benchmark::State& state) { lookup<true>(state, 0); }
// One route in 100 is a regex: those stay in the scanned list of the index.
void BM_MixedIndexed(benchmark::State& state) { lookup<false>(state, 100); }

BENCHMARK(BM_PrefixIndexed)->Arg(10)->Arg(1000)->Arg(10000);
BENCHMARK(BM_PrefixLinear)->Arg(10)->Arg(1000)->Arg(10000);
BENCHMARK(BM_MixedIndexed)->Arg(1000)->Arg(10000);

}  // namespace

BENCHMARK_MAIN();
