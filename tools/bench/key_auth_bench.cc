// key-auth-bench: Google Benchmark micro-benchmarks of API-key authentication (issue 5): the
// key-auth filter's decodeHeaders on a request carrying a valid key, among 10, 1,000 and
// 100,000 consumers (SHA-256 of the presented key, one hash-table lookup, the consumer header
// set, the key header removed), and an unknown key. Each iteration first puts the request's
// key header back; BM_RestoreOnly times that part alone, so the filter's cost is the
// difference (timing it separately with PauseTiming would cost more than the filter).
//
// Run: build/bin/key-auth-bench [--benchmark_min_time=0.2]

#include <benchmark/benchmark.h>
#include <google/protobuf/any.pb.h>

#include <string>

#include "absl/strings/escaping.h"
#include "common/strings.h"
#include "data-plane/filters/key_auth/key_auth_filter.h"
#include "data-plane/http/consumer.h"
#include "portico/filters/consumers/v1/consumers.pb.h"
#include "portico/filters/key_auth/v1/key_auth.pb.h"

namespace {

using portico::cat;
namespace dp = portico::dp;

dp::http::HttpFilterConstSharedPtr keyAuthFilter(int consumers) {
  portico::filters::consumers::v1::Consumers config;
  for (int i = 0; i < consumers; ++i) {
    auto* consumer = config.add_consumers();
    consumer->set_name(cat("consumer-", i));
    consumer->add_api_key_sha256(absl::BytesToHexString(dp::http::sha256(cat("key-", i))));
  }
  dp::http::FilterBuildContext context;
  context.consumers = *dp::http::ConsumerTable::create(config);
  google::protobuf::Any any;
  any.PackFrom(portico::filters::key_auth::v1::KeyAuth());
  return *dp::filters::key_auth::keyAuthFactory().createFilter(any, context);
}

void authenticate(benchmark::State& state, const std::string& key, bool run_filter = true) {
  const auto filter = keyAuthFilter(static_cast<int>(state.range(0)));
  dp::router::Request request{boost::beast::http::verb::get, "/orders/42", 11};
  request.set(boost::beast::http::field::host, "api.example.com");
  request.set("user-agent", "bench");
  request.set("accept", "application/json");
  dp::http::FilterState filter_state;
  for (auto _ : state) {
    request.set("x-api-key", key);
    request.erase("x-portico-consumer");
    filter_state.reset();
    filter_state.request = &request;
    if (run_filter) benchmark::DoNotOptimize(filter->decodeHeaders(filter_state, nullptr));
  }
}

void BM_ValidKey(benchmark::State& state) { authenticate(state, cat("key-", state.range(0) - 1)); }
void BM_UnknownKey(benchmark::State& state) { authenticate(state, "not-a-key"); }
void BM_RestoreOnly(benchmark::State& state) { authenticate(state, "key-0", /*run_filter=*/false); }

BENCHMARK(BM_ValidKey)->Arg(10)->Arg(1000)->Arg(100000);
BENCHMARK(BM_UnknownKey)->Arg(1000);
BENCHMARK(BM_RestoreOnly)->Arg(10);

}  // namespace

BENCHMARK_MAIN();
