// cache-bench: Google Benchmark micro-benchmarks of the response cache (docs/cache.md,
// "Performance"):
// - BM_StoreHit / BM_StoreHitSpread: ResponseStore::lookup of a fresh entry, by 1 and 2 threads,
//   on one hot key (every thread on one shard's lock: the worst case) and spread over 4096 keys
//   (16 shards); a hit copies a shared_ptr under the lock, never the body;
// - BM_FilterHit: the cache filter's decodeHeaders answering from the cache (key building,
//   lookup, the response built outside the lock, body copied) for 1 KiB and 16 KiB bodies;
// - BM_StoreInsertEvicting: storing into a full cache (every insert evicts).
//
// Run: build/bin/cache-bench [--benchmark_min_time=0.2]

#include <benchmark/benchmark.h>
#include <google/protobuf/any.pb.h>

#include <string>
#include <vector>

#include "common/strings.h"
#include "data-plane/filters/cache/cache_filter.h"
#include "data-plane/filters/cache/response_cache.h"
#include "data-plane/filters/cache/response_store.h"
#include "portico/filters/cache/v1/cache.pb.h"

namespace {

using portico::cat;
namespace cache = portico::dp::filters::cache;
namespace http = portico::dp::http;
namespace bhttp = boost::beast::http;

cache::CacheEntryPtr entry(size_t body_bytes) {
  auto out = std::make_shared<cache::CacheEntry>();
  out->stored_at = cache::Clock::now();
  out->expires_at = out->stored_at + std::chrono::hours(1);
  out->route = "api";
  out->path = "/items";
  out->response.headers = {{"Content-Type", "application/json"}, {"Cache-Control", "max-age=3600"}};
  out->response.body.assign(body_bytes, 'x');
  return out;
}

std::vector<std::string> keys(int count) {
  std::vector<std::string> out;
  for (int i = 0; i < count; ++i) out.push_back(cat("3:api3:GET15:api.example.com12:/items/", 100000 + i, "0:"));
  return out;
}

cache::ResponseStore& sharedStore() {
  static cache::ResponseStore* store = [] {
    auto* s = new cache::ResponseStore(uint64_t{256} << 20);
    for (const std::string& key : keys(4096)) s->insert(key, entry(1024), s->generation());
    return s;
  }();
  return *store;
}

void BM_StoreHit(benchmark::State& state) {
  cache::ResponseStore& store = sharedStore();
  const std::string key = keys(1)[0];
  const auto now = cache::Clock::now();
  for (auto _ : state) {
    benchmark::DoNotOptimize(store.lookup(key, now, false).entry);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_StoreHit)->Threads(1)->Threads(2)->UseRealTime();

void BM_StoreHitSpread(benchmark::State& state) {
  cache::ResponseStore& store = sharedStore();
  const std::vector<std::string> all = keys(4096);
  const auto now = cache::Clock::now();
  size_t i = static_cast<size_t>(state.thread_index()) * 997;
  for (auto _ : state) {
    benchmark::DoNotOptimize(store.lookup(all[i++ & 4095], now, false).entry);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_StoreHitSpread)->Threads(1)->Threads(2)->UseRealTime();

void BM_FilterHit(benchmark::State& state) {
  cache::ResponseCache response_cache(2);  // per run: each body size stores its own entry
  portico::filters::cache::v1::Cache config;
  config.set_include_query(true);
  config.set_max_size_bytes(64 << 20);
  google::protobuf::Any any;
  any.PackFrom(config);
  http::FilterBuildContext context;
  context.cache = &response_cache;
  response_cache.beginCompile();
  const http::HttpFilterConstSharedPtr filter = *cache::cacheFactory().createFilter(any, context);
  response_cache.commit();

  portico::dp::router::Request request{bhttp::verb::get, "/items/42?page=1", 11};
  request.set(bhttp::field::host, "api.example.com");
  http::FilterState filter_state;
  auto start = [&] {
    filter_state.reset();
    filter_state.request = &request;
    filter_state.path = "/items/42";
    filter_state.query = "page=1";
    filter_state.route_name = "api";
  };
  // Fill the entry once (a miss that stores).
  start();
  filter->decodeHeaders(filter_state, nullptr);
  portico::dp::router::Response response{bhttp::status::ok, 11};
  response.set(bhttp::field::content_type, "application/json");
  response.body().assign(static_cast<size_t>(state.range(0)), 'x');
  filter->encodeHeaders(filter_state, response, nullptr);
  for (auto _ : state) {
    start();
    if (filter->decodeHeaders(filter_state, nullptr) != http::FilterStatus::kLocalReply) {
      state.SkipWithError("not a hit");
      break;
    }
    benchmark::DoNotOptimize(filter_state.reply.response);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_FilterHit)->Arg(1024)->Arg(16 * 1024);

void BM_StoreInsertEvicting(benchmark::State& state) {
  cache::ResponseStore store(uint64_t{1} << 20);  // room for ~700 entries of 1 KiB
  const std::vector<std::string> all = keys(4096);
  const cache::CacheEntryPtr value = entry(1024);
  size_t i = 0;
  for (auto _ : state) {
    store.insert(all[i++ & 4095], value, store.generation());
  }
  state.counters["evictions"] = static_cast<double>(store.evictions());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_StoreInsertEvicting);

}  // namespace

BENCHMARK_MAIN();
